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

    /// Which of `texts` occur in the event's name, directory or file name
    /// (`values`, in `fields` order). Nil when the sieve must stand aside and
    /// every gate run: a value that is not plain ASCII text.
    static func found(_ texts: [[UInt8]], _ values: [FieldValue?]) -> [Bool]? {
        var hay: [UInt8] = []
        for v in values {
            switch v {
            case nil: continue
            case .string(let s)?:
                hay.append(contentsOf: s.utf8)
                hay.append(0)  // no text holds a NUL: none spans two values
            default:
                return nil
            }
        }
        guard hay.allSatisfy({ $0 < 0x80 }) else { return nil }
        return hay.withUnsafeBufferPointer { h in texts.map { TextMatch.contains(bytes: h, $0) } }
    }
}
