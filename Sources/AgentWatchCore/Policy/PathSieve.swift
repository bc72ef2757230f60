// Most opens are of paths no rule asks about: every module an interpreter
// imports, every header a compiler reads, each a new path the content memo
// has not seen. A rule's gate names the paths it wants through literal tests
// of fd.name, fd.directory and fd.filename, and for any of those tests to
// hold, its text must appear in the name, the directory or the file name.
// A plan gathers the texts of its rules; per event one pass finds which
// occur, and a rule none of whose texts occurs is turned away without
// running its gate. Only a necessary condition is drawn from a gate, so the
// verdicts are the ones the gates alone would give.

enum PathSieve {
    static let fields = ["fd.name", "fd.directory", "fd.filename"]

    /// Texts one of which occurs in the descriptor's name, directory or file
    /// name whenever `gate` holds; nil when the gate may hold without any.
    static func needles(_ gate: RExpr) -> [String]? {
        switch gate {
        case .constant(let holds):
            return holds ? nil : []
        case .not:
            return nil
        case .and(let xs):
            // Any conjunct's texts will do: keep the list that lets the fewest events through.
            var best: [String]?
            for x in xs {
                if let n = needles(x), best.map({ narrower(n, than: $0) }) ?? true { best = n }
            }
            return best
        case .or(let xs):
            var all: [String] = []
            for x in xs {
                guard let n = needles(x) else { return nil }
                all += n
            }
            return all
        case .leaf(let l):
            return needles(l)
        }
    }

    /// A list whose shortest text is longer matches fewer paths by chance.
    private static func narrower(_ a: [String], than b: [String]) -> Bool {
        let ma = a.map(\.utf8.count).min() ?? Int.max, mb = b.map(\.utf8.count).min() ?? Int.max
        return ma != mb ? ma > mb : a.count < b.count
    }

    private static func needles(_ l: Leaf) -> [String]? {
        guard !l.dynamic, l.field.arg == nil, l.field.transformers.isEmpty, fields.contains(l.field.spec.name),
              let op = l.op, !l.operands.isEmpty else { return nil }
        var texts: [String] = []
        for operand in l.operands {
            guard case .literal(let s, _) = operand else { return nil }
            let text: String?
            switch op {
            // String equality is Unicode-canonical; on ASCII texts (checked below) it is byte equality.
            case .eq, .eqeq, .in, .contains, .startswith, .endswith:
                text = s
            case .pmatch:
                var t = Substring(s)
                while t.utf8.count > 1, t.hasSuffix("/") { t = t.dropLast() }
                text = String(t)
            case .glob:
                text = longestLiteral(inGlob: s)
            default:
                return nil
            }
            guard let text, !text.isEmpty, text.utf8.allSatisfy({ $0 != 0 && $0 < 0x80 }) else { return nil }
            texts.append(text)
        }
        return texts
    }

    /// The longest run of a glob that any match contains verbatim (fnmatch
    /// without flags: `*`, `?`, `[...]` classes, `\` escapes); nil when unsure.
    static func longestLiteral(inGlob pattern: String) -> String? {
        let p = Array(pattern.utf8)
        var runs: [[UInt8]] = [[]]
        var i = 0
        while i < p.count {
            switch p[i] {
            case UInt8(ascii: "*"), UInt8(ascii: "?"):
                runs.append([])
                i += 1
            case UInt8(ascii: "["):
                // The class ends at the first `]` after an optional `!`/`^` and a leading `]`.
                var j = i + 1
                if j < p.count, p[j] == UInt8(ascii: "!") || p[j] == UInt8(ascii: "^") { j += 1 }
                if j < p.count, p[j] == UInt8(ascii: "]") { j += 1 }
                while j < p.count, p[j] != UInt8(ascii: "]") { j += 1 }
                guard j < p.count else { return nil }  // an unclosed `[` is literal to fnmatch: do not guess
                runs.append([])
                i = j + 1
            case UInt8(ascii: "\\"):
                guard i + 1 < p.count else { return nil }
                runs[runs.count - 1].append(p[i + 1])
                i += 2
            default:
                runs[runs.count - 1].append(p[i])
                i += 1
            }
        }
        guard let longest = runs.max(by: { $0.count < $1.count }), !longest.isEmpty else { return nil }
        return String(decoding: longest, as: UTF8.self)
    }
}

/// A plan's sieve texts, found in one pass over each value: texts are listed
/// by their first two bytes (ASCII, so 2^14 lists), and at each position of a
/// value only the texts starting with the two bytes there are compared.
final class SieveIndex {
    let texts: [[UInt8]]
    /// Texts starting with bytes (a, b) are `order[heads[a << 7 | b] ..< heads[(a << 7 | b) + 1]]`.
    private let heads: [Int32]
    private let order: [Int32]
    /// Texts of one byte, by that byte.
    private let singles: [[Int32]]

    /// Heads with no text: every plan without path tests shares them.
    private static let noHeads = [Int32](repeating: 0, count: (1 << 14) + 1)
    private static let noSingles = [[Int32]](repeating: [], count: 128)

    /// A counting sort by the first two bytes: a plan is built for each syscall
    /// at its first event, and 16,384 lists built and joined per plan were a
    /// quarter of a short command's tracing.
    init(_ texts: [[UInt8]]) {
        self.texts = texts
        let keyed = texts.indices.filter { texts[$0].count > 1 && texts[$0].allSatisfy { $0 < 0x80 } }
        var singles = Self.noSingles
        for (i, t) in texts.enumerated() where t.count == 1 && t[0] < 0x80 { singles[Int(t[0])].append(Int32(i)) }
        self.singles = singles
        if keyed.isEmpty {
            heads = Self.noHeads
            order = []
            return
        }
        func key(_ i: Int) -> Int { Int(texts[i][0]) << 7 | Int(texts[i][1]) }
        var heads = [Int32](repeating: 0, count: (1 << 14) + 1)
        for i in keyed { heads[key(i) + 1] += 1 }
        for k in 0..<(1 << 14) { heads[k + 1] += heads[k] }
        var next = heads
        var order = [Int32](repeating: 0, count: keyed.count)
        for i in keyed {
            let k = key(i)
            order[Int(next[k])] = Int32(i)
            next[k] += 1
        }
        self.heads = heads
        self.order = order
    }

    /// Marks the texts occurring in `value`; false when the sieve must stand
    /// aside and every gate run: a value that is not plain ASCII text.
    func mark(_ value: FieldValue?, _ found: inout [UInt32], _ stamp: UInt32) -> Bool {
        switch value {
        case nil: return true  // a test of a value that is not there does not hold
        case .string(var s)?: return s.withUTF8 { scan($0, &found, stamp) }
        default: return false
        }
    }

    /// Sets `found[i] = stamp` for every text i occurring in `bytes`; false
    /// when a byte is not ASCII (the sieve then stands aside).
    func scan(_ h: UnsafeBufferPointer<UInt8>, _ found: inout [UInt32], _ stamp: UInt32) -> Bool {
        let n = h.count
        var i = 0
        while i < n {
            let a = h[i]
            if a >= 0x80 { return false }
            for t in singles[Int(a)] { found[Int(t)] = stamp }
            if i + 1 < n {
                let b = h[i + 1]
                if b >= 0x80 { return false }
                let key = Int(a) << 7 | Int(b)
                var j = Int(heads[key])
                let end = Int(heads[key + 1])
                while j < end {
                    let id = Int(order[j])
                    let t = texts[id]
                    if t.count <= n - i {
                        var k = 2
                        while k < t.count, h[i + k] == t[k] { k += 1 }
                        if k == t.count { found[id] = stamp }
                    }
                    j += 1
                }
            }
            i += 1
        }
        return true
    }
}
