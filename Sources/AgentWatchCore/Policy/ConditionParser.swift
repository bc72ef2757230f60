// Recursive-descent parser for Falco's condition grammar:
//   expr := and ('or' and)* ; and := not ('and' not)* ; not := 'not' not | check
//   check := '(' expr ')' | macro | field unary-op | field op value | field list-op '(' items ')'
// Bare values may contain characters a token-based lexer would split on
// (`runc:[0:PARENT]`, `/etc/`, `<`), so scanning is driven by what the grammar
// expects at each point rather than by a separate lexer.

public struct ConditionParseError: Error, Sendable, Equatable {
    public var message: String
    /// Byte offset into the condition text.
    public var offset: Int
}

public struct ConditionParser {
    private let b: [UInt8]
    private var p = 0

    public static func parse(_ text: String) throws(ConditionParseError) -> ConditionExpr {
        var parser = ConditionParser(bytes: Array(text.utf8))
        return try parser.parseAll()
    }

    private init(bytes: [UInt8]) { b = bytes }

    /// Parses a whole quoted literal (`"a \"b\""`), used for list items.
    static func parseLiteral(_ text: String) throws(ConditionParseError) -> String {
        var parser = ConditionParser(bytes: Array(text.utf8))
        let s = try parser.readQuoted()
        if parser.p != parser.b.count { throw parser.fail("text after closing quote") }
        return s
    }

    /// Parses a field reference on its own (exception fields, `sequence.by`).
    static func parseField(_ text: String) throws(ConditionParseError) -> FieldRef {
        var parser = ConditionParser(bytes: Array(text.utf8))
        parser.skipSpace()
        let f = try parser.parseFieldRef()
        parser.skipSpace()
        if parser.p != parser.b.count { throw parser.fail("unexpected '\(parser.snippet())' after field") }
        return f
    }

    private mutating func parseAll() throws(ConditionParseError) -> ConditionExpr {
        skipSpace()
        if p >= b.count { throw fail("empty condition") }
        let e = try parseOr()
        skipSpace()
        if p < b.count {
            if b[p] == UInt8(ascii: ")") { throw fail("unbalanced ')' near '\(snippet())'") }
            throw fail("expected 'and', 'or' or end of condition, found '\(snippet())'")
        }
        return e
    }

    // MARK: boolean structure

    private mutating func parseOr() throws(ConditionParseError) -> ConditionExpr {
        var items = [try parseAnd()]
        while keyword("or") { items.append(try parseAnd()) }
        return items.count == 1 ? items[0] : .or(items)
    }

    private mutating func parseAnd() throws(ConditionParseError) -> ConditionExpr {
        var items = [try parseNot()]
        while keyword("and") { items.append(try parseNot()) }
        return items.count == 1 ? items[0] : .and(items)
    }

    private mutating func parseNot() throws(ConditionParseError) -> ConditionExpr {
        if keyword("not") { return .not(try parseNot()) }
        return try parseCheck()
    }

    private mutating func parseCheck() throws(ConditionParseError) -> ConditionExpr {
        skipSpace()
        guard p < b.count else { throw fail("unexpected end of condition, expected a field, macro or '('") }
        if b[p] == UInt8(ascii: "(") {
            let open = p
            p += 1
            let e = try parseOr()
            skipSpace()
            guard p < b.count, b[p] == UInt8(ascii: ")") else {
                if p >= b.count { throw ConditionParseError(message: "missing ')' for '(' here", offset: open) }
                throw fail("expected ')' or 'and'/'or', found '\(snippet())'")
            }
            p += 1
            return e
        }
        let start = p
        let name = readName()
        if name.isEmpty { throw fail("expected a field, macro or '(', found '\(snippet())'") }
        if ["and", "or"].contains(name) {
            p = start
            throw fail("expected a field, macro or '(' before '\(name)'")
        }
        if Transformer(rawValue: name) != nil, peek() == UInt8(ascii: "(") {
            p = start
            let f = try parseFieldRef()
            return try parseCondition(f)
        }
        if !name.utf8.contains(UInt8(ascii: ".")) {
            // A macro, unless an operator follows, which means a misspelt field.
            let save = p
            skipSpace()
            if p < b.count, looksLikeOperator() {
                p = start
                throw fail("'\(name)' is not a field (fields look like class.name, e.g. proc.name)")
            }
            p = save
            return .macro(name, TextSpan(start, p))
        }
        p = start
        let f = try parseFieldRef()
        return try parseCondition(f)
    }

    private mutating func parseCondition(_ f: FieldRef) throws(ConditionParseError) -> ConditionExpr {
        skipSpace()
        guard p < b.count else { throw fail("expected an operator after '\(f)'") }
        let opStart = p
        let op: CompareOp
        if let sym = readSymbolOperator() {
            op = sym
        } else {
            let w = readWord()
            if w == "exists" { return .exists(f) }
            guard let o = CompareOp.words[w] else {
                p = opStart
                throw fail("expected an operator after '\(f)', found '\(snippet())'")
            }
            op = o
        }
        skipSpace()
        if op.takesList {
            guard p < b.count, b[p] == UInt8(ascii: "(") else {
                throw fail("'\(op.rawValue)' needs a parenthesized list, found '\(snippet())'")
            }
            p += 1
            var items: [Operand] = []
            skipSpace()
            if p < b.count, b[p] == UInt8(ascii: ")") { p += 1; return .compare(f, op, [], isList: true) }
            while true {
                skipSpace()
                items.append(try parseOperand(inList: true))
                skipSpace()
                guard p < b.count else { throw fail("missing ')' at end of list") }
                if b[p] == UInt8(ascii: ",") { p += 1; continue }
                if b[p] == UInt8(ascii: ")") { p += 1; break }
                throw fail("expected ',' or ')' in list, found '\(snippet())'")
            }
            return .compare(f, op, items, isList: true)
        }
        if p < b.count, b[p] == UInt8(ascii: "(") {
            throw fail("'\(op.rawValue)' takes a single value, not a list (use 'in')")
        }
        return .compare(f, op, [try parseOperand(inList: false)], isList: false)
    }

    // MARK: values

    private mutating func parseOperand(inList: Bool) throws(ConditionParseError) -> Operand {
        guard p < b.count else { throw fail("expected a value, found end of condition") }
        let start = p
        let c = b[p]
        if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
            return .literal(try readQuoted(), quoted: true, span: TextSpan(start, p))
        }
        if matchesAhead("val(") {
            p += 4
            skipSpace()
            let f = try parseFieldRef()
            skipSpace()
            guard p < b.count, b[p] == UInt8(ascii: ")") else { throw fail("missing ')' after val(\(f)") }
            p += 1
            return .field(f)
        }
        if matchesAhead("step[") || (c == UInt8(ascii: "$") && p + 1 < b.count && isDigit(b[p + 1])) {
            return try parseStepRef()
        }
        let word = readBare()
        if word.isEmpty { throw fail("expected a value, found '\(snippet())'") }
        return .literal(word, quoted: false, span: TextSpan(start, p))
    }

    private mutating func parseStepRef() throws(ConditionParseError) -> Operand {
        let start = p
        if b[p] == UInt8(ascii: "$") { p += 1 } else { p += 5 }
        var n = 0
        var digits = 0
        while p < b.count, isDigit(b[p]) { n = n * 10 + Int(b[p] - 48); p += 1; digits += 1 }
        if digits == 0 || n == 0 || n > 64 {
            p = start
            throw fail("bad step reference '\(snippet())': steps are numbered from 1")
        }
        if b[start] != UInt8(ascii: "$") {
            guard p < b.count, b[p] == UInt8(ascii: "]") else { throw fail("expected ']' in step reference") }
            p += 1
        }
        guard p < b.count, b[p] == UInt8(ascii: ".") else { throw fail("expected '.field' after step reference") }
        p += 1
        var f = try parseFieldRef()
        f.span.start = start
        return .stepRef(n, f)
    }

    private mutating func parseFieldRef() throws(ConditionParseError) -> FieldRef {
        let start = p
        let name = readName()
        if let t = Transformer(rawValue: name), peek() == UInt8(ascii: "(") {
            p += 1
            skipSpace()
            var inner = try parseFieldRef()
            skipSpace()
            guard p < b.count, b[p] == UInt8(ascii: ")") else { throw fail("missing ')' after \(name)(\(inner)") }
            p += 1
            inner.transformers.append(t)
            inner.span = TextSpan(start, p)
            return inner
        }
        guard name.utf8.contains(UInt8(ascii: ".")), let first = name.utf8.first, isLetter(first) else {
            p = start
            throw fail("expected a field name, found '\(snippet())'")
        }
        var arg: String?
        if p < b.count, b[p] == UInt8(ascii: "[") {
            p += 1
            let s = p
            while p < b.count, b[p] != UInt8(ascii: "]") { p += 1 }
            guard p < b.count else { p = s - 1; throw fail("missing ']' in field argument") }
            arg = String(decoding: b[s..<p], as: UTF8.self)
            p += 1
        }
        return FieldRef(name: name, arg: arg, span: TextSpan(start, p))
    }

    private mutating func readQuoted() throws(ConditionParseError) -> String {
        let q = b[p]
        let open = p
        p += 1
        var out: [UInt8] = []
        while p < b.count {
            let c = b[p]
            if c == q { p += 1; return String(decoding: out, as: UTF8.self) }
            if c == UInt8(ascii: "\\"), p + 1 < b.count {
                let n = b[p + 1]
                switch n {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): out.append(n)
                default: out.append(c); out.append(n)
                }
                p += 2
                continue
            }
            out.append(c)
            p += 1
        }
        throw ConditionParseError(message: "unterminated string starting here", offset: open)
    }

    // MARK: scanning

    private func fail(_ message: String) -> ConditionParseError {
        ConditionParseError(message: message, offset: min(p, b.count))
    }

    /// The offending text, for messages.
    private func snippet() -> String {
        if p >= b.count { return "<end>" }
        var e = p
        while e < b.count, e - p < 24, !isSpace(b[e]) { e += 1 }
        if e == p { e = p + 1 }
        return String(decoding: b[p..<e], as: UTF8.self)
    }

    private func peek() -> UInt8? { p < b.count ? b[p] : nil }

    private mutating func skipSpace() {
        while p < b.count, isSpace(b[p]) { p += 1 }
    }

    /// Consumes `word` when it appears as a whole keyword at the cursor.
    private mutating func keyword(_ word: String) -> Bool {
        let save = p
        skipSpace()
        let n = word.utf8.count
        if p + n <= b.count, b[p..<(p + n)].elementsEqual(word.utf8) {
            let after = p + n
            if after == b.count || isSpace(b[after]) || b[after] == UInt8(ascii: "(") {
                p = after
                return true
            }
        }
        p = save
        return false
    }

    private func matchesAhead(_ s: String) -> Bool {
        let n = s.utf8.count
        return p + n <= b.count && b[p..<(p + n)].elementsEqual(s.utf8)
    }

    private mutating func readName() -> String {
        let s = p
        while p < b.count, isLetter(b[p]) || isDigit(b[p]) || b[p] == UInt8(ascii: "_") || b[p] == UInt8(ascii: ".") {
            p += 1
        }
        return String(decoding: b[s..<p], as: UTF8.self)
    }

    private mutating func readWord() -> String {
        let s = p
        while p < b.count, isLetter(b[p]) { p += 1 }
        return String(decoding: b[s..<p], as: UTF8.self)
    }

    private mutating func readBare() -> String {
        let s = p
        while p < b.count {
            let c = b[p]
            if isSpace(c) || c == UInt8(ascii: "(") || c == UInt8(ascii: ")") || c == UInt8(ascii: ",")
                || c == UInt8(ascii: "=") || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { break }
            p += 1
        }
        return String(decoding: b[s..<p], as: UTF8.self)
    }

    private mutating func readSymbolOperator() -> CompareOp? {
        guard p < b.count else { return nil }
        let c = b[p]
        let n: UInt8? = p + 1 < b.count ? b[p + 1] : nil
        switch c {
        case UInt8(ascii: "="):
            if n == UInt8(ascii: "=") { p += 2; return .eqeq }
            p += 1; return .eq
        case UInt8(ascii: "!"):
            if n == UInt8(ascii: "=") { p += 2; return .ne }
            return nil
        case UInt8(ascii: "<"):
            if n == UInt8(ascii: "=") { p += 2; return .le }
            p += 1; return .lt
        case UInt8(ascii: ">"):
            if n == UInt8(ascii: "=") { p += 2; return .ge }
            p += 1; return .gt
        default:
            return nil
        }
    }

    private func looksLikeOperator() -> Bool {
        let c = b[p]
        if c == UInt8(ascii: "=") || c == UInt8(ascii: "!") || c == UInt8(ascii: "<") || c == UInt8(ascii: ">") { return true }
        var e = p
        while e < b.count, isLetter(b[e]) { e += 1 }
        let w = String(decoding: b[p..<e], as: UTF8.self)
        return w == "exists" || CompareOp.words[w] != nil
    }
}

@inline(__always) private func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x08 }
@inline(__always) private func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
@inline(__always) private func isLetter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) }
