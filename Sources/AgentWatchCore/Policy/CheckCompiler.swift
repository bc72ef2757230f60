// Turns one `field op value(s)` check into a closure. All operand parsing
// (numbers, networks, globs, regexes, lowercase patterns, sets) happens here,
// once, so evaluation does no string interpretation.

typealias Predicate = @Sendable (EvalContext) -> Bool
typealias ValueMatcher = @Sendable (FieldValue) -> Bool

/// A right-hand side after list expansion.
enum ROperand: Sendable {
    case literal(String, span: TextSpan?)
    /// Computed per event: `val(field)` or a value captured by an earlier sequence step.
    case dynamic(@Sendable (EvalContext) -> FieldValue?, text: String)

    var text: String {
        switch self {
        case .literal(let s, _): return s
        case .dynamic(_, let t): return t
        }
    }
}

struct CheckError: Error {
    var message: String
    var span: TextSpan?
}

enum CheckCompiler {
    static func compile(_ field: BoundField, _ op: CompareOp?, _ operands: [ROperand]) throws(CheckError) -> Predicate {
        guard let op else {
            return { ctx in field.value(ctx) != nil }
        }
        let type = field.type
        if op.takesList {
            var statics: [String] = []
            var dynamics: [@Sendable (EvalContext) -> FieldValue?] = []
            for o in operands {
                switch o {
                case .literal(let s, _): statics.append(s)
                case .dynamic(let f, _): dynamics.append(f)
                }
            }
            let m = try listMatcher(type, op, statics, span: operands.first.flatMap(spanOf))
            let dyn = dynamics
            if dyn.isEmpty {
                return { ctx in
                    guard let v = field.value(ctx) else { return false }
                    return any(v, m)
                }
            }
            return { ctx in
                guard let v = field.value(ctx) else { return false }
                if any(v, m) { return true }
                for d in dyn {
                    guard let rhs = d(ctx), let dm = try? matcher(type, .eq, rhs.description) else { continue }
                    if any(v, dm) { return true }
                }
                return false
            }
        }
        guard let operand = operands.first else { throw CheckError(message: "missing value", span: nil) }
        let negate = op == .ne
        let positive: CompareOp = negate ? .eq : op
        switch operand {
        case .literal(let s, let span):
            let m: ValueMatcher
            do { m = try matcher(type, positive, s) } catch { throw CheckError(message: error.message, span: span) }
            if negate {
                return { ctx in
                    guard let v = field.value(ctx) else { return false }
                    return !any(v, m)
                }
            }
            return { ctx in
                guard let v = field.value(ctx) else { return false }
                return any(v, m)
            }
        case .dynamic(let f, _):
            return { ctx in
                guard let v = field.value(ctx), let rhs = f(ctx) else { return false }
                // A captured value of the same kind compares exactly (IPs, bytes).
                if positive == .eq, !isMany(v) { return negate ? v != rhs && v.description != rhs.description : v == rhs || v.description == rhs.description }
                guard let m = try? matcher(type, positive, rhs.description) else { return false }
                return negate ? !any(v, m) : any(v, m)
            }
        }
    }

    private static func spanOf(_ o: ROperand) -> TextSpan? {
        if case .literal(_, let s) = o { return s }
        return nil
    }

    static func isMany(_ v: FieldValue) -> Bool {
        if case .many = v { return true }
        return false
    }

    @inline(__always) static func any(_ v: FieldValue, _ m: ValueMatcher) -> Bool {
        if case .many(let vs) = v { return vs.contains(where: m) }
        return m(v)
    }

    // MARK: single-value matchers

    static func matcher(_ type: FieldType, _ op: CompareOp, _ s: String) throws(CheckError) -> ValueMatcher {
        switch op {
        case .eq, .eqeq:
            switch type {
            case .string:
                return { v in
                    if case .string(let x) = v { return x == s }
                    return v.description == s
                }
            case .int:
                guard let n = parseInt(s) else { throw CheckError(message: "'\(s)' is not a number", span: nil) }
                return { v in Coerce.int(v) == n }
            case .bool:
                guard let b = parseBool(s) else { throw CheckError(message: "'\(s)' is not true or false", span: nil) }
                return { v in Coerce.bool(v) == b }
            case .ip:
                guard let net = IPNetwork(s) else { throw CheckError(message: "'\(s)' is not an IP address or network (a.b.c.d/len)", span: nil) }
                return { v in
                    if case .ip(let a) = v { return net.contains(a) }
                    return false
                }
            case .bytes:
                let p = Array(s.utf8)
                return { v in Coerce.bytes(v) == p }
            }
        case .ne:
            let m = try matcher(type, .eq, s)
            return { v in !m(v) }
        case .lt, .le, .gt, .ge:
            guard type == .int || type == .string else {
                throw CheckError(message: "'\(op.rawValue)' needs a numeric field", span: nil)
            }
            guard let n = parseInt(s) else { throw CheckError(message: "'\(s)' is not a number", span: nil) }
            switch op {
            case .lt: return { v in Coerce.int(v).map { $0 < n } ?? false }
            case .le: return { v in Coerce.int(v).map { $0 <= n } ?? false }
            case .gt: return { v in Coerce.int(v).map { $0 > n } ?? false }
            default: return { v in Coerce.int(v).map { $0 >= n } ?? false }
            }
        case .contains:
            let p = Array(s.utf8)
            return { v in
                switch v {
                case .string(let x): return TextMatch.contains(x, p)
                case .bytes(let b): return TextMatch.contains(b, p)
                default: return TextMatch.contains(v.description, p)
                }
            }
        case .icontains:
            let p = TextMatch.asciiLower(s)
            return { v in TextMatch.contains(TextMatch.asciiLower(Coerce.text(v)), p) }
        case .bcontains, .bstartswith:
            guard let p = TextMatch.hexBytes(s) else {
                throw CheckError(message: "'\(s)' is not a hex byte string (e.g. cafebabe)", span: nil)
            }
            if op == .bcontains { return { v in TextMatch.contains(Coerce.bytes(v), p) } }
            return { v in Coerce.bytes(v).starts(with: p) }
        case .startswith:
            let p = Array(s.utf8)
            return { v in TextMatch.startsWith(Coerce.text(v), p) }
        case .endswith:
            let p = Array(s.utf8)
            return { v in TextMatch.endsWith(Coerce.text(v), p) }
        case .glob, .iglob:
            let fold = op == .iglob
            return { v in TextMatch.glob(s, Coerce.text(v), caseFold: fold) }
        case .regex:
            guard let re = CompiledRegex(s) else { throw CheckError(message: "invalid regular expression '\(s)'", span: nil) }
            return { v in re.matches(Coerce.text(v)) }
        case .in, .intersects, .pmatch:
            return try listMatcher(type, op, [s], span: nil)
        }
    }

    static func listMatcher(_ type: FieldType, _ op: CompareOp, _ items: [String], span: TextSpan?) throws(CheckError) -> ValueMatcher {
        if op == .pmatch {
            let prefixes = items.map { p -> [UInt8] in
                var b = Array(p.utf8)
                while b.count > 1, b.last == UInt8(ascii: "/") { b.removeLast() }
                return b
            }
            return { v in TextMatch.pathPrefix(Coerce.text(v), prefixes) }
        }
        switch type {
        case .string, .bytes:
            let set = Set(items)
            return { v in set.contains(Coerce.text(v)) }
        case .int:
            var set = Set<Int64>()
            for i in items {
                guard let n = parseInt(i) else { throw CheckError(message: "'\(i)' is not a number", span: span) }
                set.insert(n)
            }
            let ints = set
            return { v in Coerce.int(v).map(ints.contains) ?? false }
        case .bool:
            var set = Set<Bool>()
            for i in items {
                guard let b = parseBool(i) else { throw CheckError(message: "'\(i)' is not true or false", span: span) }
                set.insert(b)
            }
            let bools = set
            return { v in Coerce.bool(v).map(bools.contains) ?? false }
        case .ip:
            var nets: [IPNetwork] = []
            for i in items {
                guard let n = IPNetwork(i) else { throw CheckError(message: "'\(i)' is not an IP address or network", span: span) }
                nets.append(n)
            }
            let networks = nets
            return { v in
                guard case .ip(let a) = v else { return false }
                return networks.contains { $0.contains(a) }
            }
        }
    }

    static func parseInt(_ s: String) -> Int64? {
        if let n = Int64(s) { return n }
        if s.hasPrefix("0x") || s.hasPrefix("0X") { return Int64(s.dropFirst(2), radix: 16) }
        return nil
    }

    static func parseBool(_ s: String) -> Bool? {
        switch s.lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }
}

enum Coerce {
    static func text(_ v: FieldValue) -> String {
        if case .string(let s) = v { return s }
        return v.description
    }

    static func int(_ v: FieldValue) -> Int64? {
        switch v {
        case .int(let i): return i
        case .string(let s): return CheckCompiler.parseInt(s)
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    static func bool(_ v: FieldValue) -> Bool? {
        switch v {
        case .bool(let b): return b
        case .string(let s): return CheckCompiler.parseBool(s)
        case .int(let i): return i != 0
        default: return nil
        }
    }

    static func bytes(_ v: FieldValue) -> [UInt8] {
        if case .bytes(let b) = v { return b }
        return Array(text(v).utf8)
    }
}
