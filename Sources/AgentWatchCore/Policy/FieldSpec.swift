// The shape of one entry in the field table, and lookup of a written field
// (`evt.arg.flags`, `proc.aname[2]`) against the table.

public struct FieldSpec: Sendable {
    public enum ArgKind: Sendable {
        case none
        /// `[N]`, optional: without it the field stands for all values (proc.aname).
        case optionalIndex
        /// `.NAME` or `[NAME]` or `[N]` (evt.arg.*).
        case nameOrIndex
    }

    /// When the value is only known once the syscall returned.
    public enum Availability: Sendable {
        case always
        case exitOnly
        /// Exit-only for syscalls that create the descriptor (openat's fd.num).
        case exitWhenFdCreated
        /// Facts about the new image: on execve they are known once the exec happened
        /// (the exec stop, before the program's first instruction).
        case afterExec
    }

    public let name: String
    public let type: FieldType
    public let doc: String
    public let arg: ArgKind
    public let availability: Availability
    /// The /proc facts a live run must gather for this field to have a value.
    public let reads: ProcFactNeeds
    let extract: @Sendable (EvalContext, String?) -> FieldValue?

    init(_ name: String, _ type: FieldType, _ doc: String, arg: ArgKind = .none, availability: Availability = .always,
         reads: ProcFactNeeds = [], _ extract: @escaping @Sendable (EvalContext, String?) -> FieldValue?) {
        self.name = name
        self.type = type
        self.doc = doc
        self.arg = arg
        self.availability = availability
        self.reads = reads
        self.extract = extract
    }

    public func needsExit(for syscall: String) -> Bool {
        switch availability {
        case .always: return false
        case .exitOnly: return true
        case .exitWhenFdCreated: return FdSyscalls.creating.contains(syscall)
        case .afterExec: return syscall == "execve" || syscall == "execveat"
        }
    }
}

/// A field reference bound to its table entry.
struct BoundField: Sendable {
    let spec: FieldSpec
    let arg: String?
    let transformers: [Transformer]
    let text: String
    /// Where the engine keeps this field's value for the event being evaluated
    /// (see FieldValueCache); nil computes it at every use.
    var cacheSlot: Int? = nil

    func value(_ ctx: EvalContext) -> FieldValue? {
        if let slot = cacheSlot, let cache = ctx.fieldCache {
            return cache.value(slot) { compute(ctx) }
        }
        return compute(ctx)
    }

    private func compute(_ ctx: EvalContext) -> FieldValue? {
        guard var v = spec.extract(ctx, arg) else { return nil }
        for t in transformers { v = FieldTransform.apply(t, v) }
        return v
    }

    var type: FieldType { transformers.contains(.b64) ? .string : spec.type }
}

public enum FieldLookup {
    public enum Result {
        case supported(FieldSpec, arg: String?)
        /// A real Falco field that means nothing under ptrace; the reason says why.
        case unsupported(String)
        case unknown(suggestion: String?)
        case badArgument(String)
    }

    public static func lookup(name: String, arg: String?) -> Result {
        if let spec = FieldTable.byName[name] {
            switch spec.arg {
            case .none:
                if arg != nil { return .badArgument("field \(name) takes no argument") }
            case .optionalIndex:
                if let a = arg, Int(a) == nil { return .badArgument("field \(name) takes a numeric index, not '\(a)'") }
            case .nameOrIndex:
                if arg == nil { return .badArgument("field \(name) needs an argument, e.g. \(name).flags or \(name)[0]") }
            }
            return .supported(spec, arg: arg)
        }
        // evt.arg.flags → evt.arg + "flags"
        if let dot = name.lastIndex(of: "."), arg == nil {
            let base = String(name[..<dot])
            if let spec = FieldTable.byName[base], case .nameOrIndex = spec.arg {
                return .supported(spec, arg: String(name[name.index(after: dot)...]))
            }
        }
        if let reason = FalcoFields.unsupportedReason(name) { return .unsupported(reason) }
        return .unknown(suggestion: suggest(name))
    }

    static func suggest(_ name: String) -> String? {
        var best: (String, Int)?
        for candidate in FieldTable.byName.keys {
            let d = editDistance(name, candidate)
            if d <= max(2, name.count / 4), d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8), y = Array(b.utf8)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev = Array(0...y.count)
        var cur = prev
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[y.count]
    }
}

enum FieldTransform {
    static func apply(_ t: Transformer, _ v: FieldValue) -> FieldValue {
        switch v {
        case .many(let vs): return .many(vs.map { apply(t, $0) })
        case .string(let s):
            switch t {
            case .tolower: return .string(s.lowercased())
            case .toupper: return .string(s.uppercased())
            case .basename: return .string(s.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? s)
            case .b64: return .string(Base64.decode(s).map { BufferText.render($0) } ?? s)
            }
        case .bytes(let b):
            return apply(t, .string(BufferText.render(b)))
        default:
            return v
        }
    }
}

enum Base64 {
    static func decode(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        var acc: UInt32 = 0
        var bits = 0
        for c in s.utf8 {
            let v: UInt8
            switch c {
            case 65...90: v = c - 65
            case 97...122: v = c - 97 + 26
            case 48...57: v = c - 48 + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
            case UInt8(ascii: "="), 0x0A, 0x0D, 0x20: continue
            default: return nil
            }
            acc = (acc << 6) | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        return out
    }
}
