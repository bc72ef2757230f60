// strace's rendering of syscall arguments, parsed into a small tree. The tree
// keeps strace's shapes (strings, arrays, structs, calls like htons(80), fd
// annotations); StraceArgs turns them into agentwatch values per syscall.

indirect enum StraceValue: Equatable {
    /// A quoted string, unescaped; `truncated` when strace cut it (`"abc"...`).
    case string([UInt8], truncated: Bool)
    /// `@"name"`: an abstract unix socket name.
    case abstract([UInt8])
    /// A bare token or expression: 3, 0x10, NULL, O_RDONLY|O_CLOEXEC, 8192*1024.
    case word(String)
    /// `[a, b]`; `more` when strace elided the rest (`...`).
    case array([StraceValue], more: Bool)
    /// `{k=v, bare}`; `more` when strace elided the rest.
    case structure([StraceField], more: Bool)
    /// `name(args)`: htons(4444), inet_addr("127.0.0.1"), makedev(0x1, 0x3).
    case call(String, [StraceValue])
    /// A descriptor with its -y/-yy annotation: 3</etc/passwd>, AT_FDCWD</tmp>.
    case annotated(StraceValue, String)
    /// `before => after`: an in/out argument.
    case changed(StraceValue, StraceValue)

    /// The member named `key` of a struct.
    func field(_ key: String) -> StraceValue? {
        guard case .structure(let fields, _) = self else { return nil }
        return fields.first { $0.key == key }?.value
    }

    /// The value after the call for in/out arguments, the value itself otherwise.
    var final: StraceValue {
        if case .changed(_, let after) = self { return after }
        return self
    }
}

struct StraceField: Equatable {
    var key: String?
    var value: StraceValue
}

/// One top-level argument: the parsed value and the text strace printed.
struct StraceArg {
    /// For `clone(child_stack=NULL, flags=…)`-style arguments.
    var key: String?
    var value: StraceValue
    var text: String
}

struct StraceSyntaxError: Error {
    var message: String
    /// The text ended inside a value (a line cut short).
    var atEnd: Bool
}

/// Parses the text after `name(`: arguments up to the closing parenthesis.
struct StraceValueParser {
    let b: [UInt8]
    var i: Int

    init(_ bytes: [UInt8], at start: Int = 0) {
        b = bytes
        i = start
    }

    private func fail(_ m: String) -> StraceSyntaxError { StraceSyntaxError(message: m, atEnd: i >= b.count) }

    private mutating func skipSpace() {
        while i < b.count, b[i] == 32 || b[i] == 9 { i += 1 }
    }

    private func at(_ s: String) -> Bool {
        var j = i
        for c in s.utf8 {
            guard j < b.count, b[j] == c else { return false }
            j += 1
        }
        return true
    }

    /// Arguments through the `)` that closes the call. With `partial`, the text
    /// may end early (an unfinished call): what was read is returned.
    mutating func arguments(partial: Bool = false) throws(StraceSyntaxError) -> [StraceArg] {
        var out: [StraceArg] = []
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: ")") { i += 1; return out }
        while true {
            skipSpace()
            if partial && i >= b.count { return out }
            let begin = i
            let key = namedArgument()
            let v = try value(partial: partial)
            let text = String(decoding: b[begin..<i], as: UTF8.self).trimmedSpaces
            out.append(StraceArg(key: key, value: v, text: text))
            skipSpace()
            guard i < b.count else {
                if partial { return out }
                throw fail("missing ')'")
            }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: ")") { i += 1; return out }
            throw fail("unexpected '\(Character(Unicode.Scalar(b[i])))' in the arguments")
        }
    }

    /// One value, with trailing `/* comment */` and `=> after` folded in.
    mutating func value(partial: Bool = false) throws(StraceSyntaxError) -> StraceValue {
        skipSpace()
        guard i < b.count else { throw fail("missing value") }
        var v: StraceValue
        switch b[i] {
        case UInt8(ascii: "\""):
            v = try string()
        case UInt8(ascii: "@") where i + 1 < b.count && b[i + 1] == UInt8(ascii: "\""):
            i += 1
            guard case .string(let s, _) = try string() else { throw fail("bad abstract name") }
            v = .abstract(s)
        case UInt8(ascii: "["):
            i += 1
            let (items, more) = try list(close: UInt8(ascii: "]"))
            v = .array(items, more: more)
        case UInt8(ascii: "{"):
            i += 1
            v = try structure()
        default:
            v = try word()
        }
        skipSpace()
        if at("/*") {
            // "/* 35 vars */", "/* 3 entries */": commentary, not data.
            while i + 1 < b.count, !(b[i] == UInt8(ascii: "*") && b[i + 1] == UInt8(ascii: "/")) { i += 1 }
            guard i + 1 < b.count else { throw fail("unterminated comment") }
            i += 2
            skipSpace()
        }
        if at("=>") {
            i += 2
            v = .changed(v, try value(partial: partial))
        }
        return v
    }

    /// Elements up to `close`, separated by commas; `...` marks elision.
    private mutating func list(close: UInt8) throws(StraceSyntaxError) -> ([StraceValue], Bool) {
        var items: [StraceValue] = []
        var more = false
        skipSpace()
        if i < b.count, b[i] == close { i += 1; return (items, false) }
        while true {
            skipSpace()
            if at("...") && !at("...\"") {
                i += 3
                more = true
            } else {
                items.append(try value())
            }
            skipSpace()
            guard i < b.count else { throw fail("missing '\(Character(Unicode.Scalar(close)))'") }
            if b[i] == UInt8(ascii: ",") || (close == UInt8(ascii: "]") && b[i] == UInt8(ascii: " ")) { i += 1; continue }
            if b[i] == close { i += 1; return (items, more) }
            throw fail("unexpected '\(Character(Unicode.Scalar(b[i])))' in a list")
        }
    }

    private mutating func structure() throws(StraceSyntaxError) -> StraceValue {
        var fields: [StraceField] = []
        var more = false
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .structure(fields, more: false) }
        while true {
            skipSpace()
            if at("...") {
                i += 3
                more = true
            } else {
                let key = namedArgument()
                fields.append(StraceField(key: key, value: try value()))
            }
            skipSpace()
            guard i < b.count else { throw fail("missing '}'") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "}") { i += 1; return .structure(fields, more: more) }
            throw fail("unexpected '\(Character(Unicode.Scalar(b[i])))' in a struct")
        }
    }

    /// `name=` before a value (struct members, clone's arguments); consumed when present.
    private mutating func namedArgument() -> String? {
        var j = i
        while j < b.count, Self.isKeyByte(b[j]) { j += 1 }
        guard j > i, j < b.count, b[j] == UInt8(ascii: "="),
              j + 1 >= b.count || (b[j + 1] != UInt8(ascii: ">") && b[j + 1] != UInt8(ascii: "=")) else { return nil }
        let key = String(decoding: b[i..<j], as: UTF8.self)
        i = j + 1
        return key
    }

    static func isKeyByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
            || c == UInt8(ascii: "[") || c == UInt8(ascii: "]")
    }

    /// A quoted string with strace's C escapes, and `...` when it was cut.
    private mutating func string() throws(StraceSyntaxError) -> StraceValue {
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < b.count else { throw fail("unterminated string") }
            let c = b[i]
            i += 1
            if c == UInt8(ascii: "\"") { break }
            if c != UInt8(ascii: "\\") { out.append(c); continue }
            guard i < b.count else { throw fail("unterminated string") }
            guard Self.escape(b, &i, into: &out) else { throw fail("bad \\x escape") }
        }
        var truncated = false
        if at("...") {
            i += 3
            truncated = true
        }
        return .string(out, truncated: truncated)
    }

    /// Decodes the C escape whose letter is at `i` (after the backslash); false when malformed.
    static func escape(_ b: [UInt8], _ i: inout Int, into out: inout [UInt8]) -> Bool {
        let e = b[i]
        i += 1
        switch e {
        case UInt8(ascii: "n"): out.append(10)
        case UInt8(ascii: "t"): out.append(9)
        case UInt8(ascii: "r"): out.append(13)
        case UInt8(ascii: "v"): out.append(11)
        case UInt8(ascii: "f"): out.append(12)
        case UInt8(ascii: "a"): out.append(7)
        case UInt8(ascii: "b"): out.append(8)
        case UInt8(ascii: "x"):
            var v: UInt8 = 0
            var n = 0
            while n < 2, i < b.count, let d = JSONCursor.hexDigit(b[i]) { v = v << 4 | d; i += 1; n += 1 }
            guard n > 0 else { return false }
            out.append(v)
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            // Octal, up to three digits: "\0", "\177", "\3770".
            var v = Int(e - UInt8(ascii: "0"))
            var n = 1
            while n < 3, i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "7") {
                v = v * 8 + Int(b[i] - UInt8(ascii: "0"))
                i += 1
                n += 1
            }
            out.append(UInt8(truncatingIfNeeded: v))
        default:
            out.append(e)  // \\ \" \' and anything strace may add
        }
        return true
    }

    /// Text with C escapes (a -y path) as bytes; bad escapes stay as written.
    static func unescape(_ text: String) -> [UInt8] {
        let b = Array(text.utf8)
        guard b.contains(UInt8(ascii: "\\")) else { return b }
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "\\") && i + 1 < b.count {
                i += 1
                let keep = i
                if !escape(b, &i, into: &out) { out.append(UInt8(ascii: "\\")); i = keep }
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    /// A bare token up to a delimiter: names, numbers, expressions, calls,
    /// with fd annotations parsed where they appear.
    private mutating func word() throws(StraceSyntaxError) -> StraceValue {
        let begin = i
        var annotation: String?
        var annotatedEnd = 0
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: ",") || c == UInt8(ascii: ")") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") { break }
            if c == UInt8(ascii: " ") && (at(" =>") || at(" /*")) { break }
            if c == UInt8(ascii: "(") {
                // A call: name(args) — maybe inside a larger expression.
                let name = String(decoding: b[begin..<i], as: UTF8.self).trimmedSpaces
                i += 1
                let args = try arguments()
                let isWholeValue = annotation == nil && Self.isIdentifier(name) && nextIsDelimiter()
                if isWholeValue { return .call(name, args.map(\.value)) }
                continue
            }
            if c == UInt8(ascii: "<") && !at("<<") && annotation == nil && i > begin {
                annotatedEnd = i
                annotation = try angleText()
                continue
            }
            if c == UInt8(ascii: "\"") {
                // A string inside an expression (rare): keep it whole.
                _ = try string()
                continue
            }
            if c == UInt8(ascii: "[") && i > begin {
                // Inside a token, brackets are part of it: sa_mask=~[RTMIN RT_1].
                var depth = 0
                while i < b.count {
                    if b[i] == UInt8(ascii: "[") { depth += 1 }
                    if b[i] == UInt8(ascii: "]") { depth -= 1; if depth == 0 { break } }
                    i += 1
                }
                guard i < b.count else { throw fail("missing ']'") }
            }
            i += 1
        }
        if let annotation {
            let base = String(decoding: b[begin..<annotatedEnd], as: UTF8.self).trimmedSpaces
            return .annotated(.word(base), annotation)
        }
        let text = String(decoding: b[begin..<i], as: UTF8.self).trimmedSpaces
        if text.isEmpty { throw fail(i < b.count ? "unexpected '\(Character(Unicode.Scalar(b[i])))'" : "missing value") }
        return .word(text)
    }

    private mutating func nextIsDelimiter() -> Bool {
        var j = i
        while j < b.count, b[j] == 32 { j += 1 }
        guard j < b.count else { return true }
        let c = b[j]
        return c == UInt8(ascii: ",") || c == UInt8(ascii: ")") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}")
            || (c == UInt8(ascii: "=") && j + 1 < b.count && b[j + 1] == UInt8(ascii: ">")) || c == UInt8(ascii: "/")
    }

    /// `<...>` after a descriptor: nested `<char 1:3>`, `->` inside socket
    /// brackets and quoted unix paths all stay inside.
    mutating func angleText() throws(StraceSyntaxError) -> String {
        i += 1
        let begin = i
        var depth = 1
        var brackets = 0
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\\") {
                i += 2  // escaped byte of a path: \74 is '<', \" a quote
                continue
            } else if c == UInt8(ascii: "\"") {
                i += 1
                while i < b.count, b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
            } else if c == UInt8(ascii: "[") {
                brackets += 1
            } else if c == UInt8(ascii: "]") {
                brackets -= 1
            } else if c == UInt8(ascii: "<") && brackets == 0 {
                depth += 1
            } else if c == UInt8(ascii: ">") && brackets == 0 && !(i > begin && b[i - 1] == UInt8(ascii: "-")) {
                depth -= 1
                if depth == 0 {
                    let text = String(decoding: b[begin..<i], as: UTF8.self)
                    i += 1
                    // memfd and unlinked files: "9</memfd:mf>(deleted)".
                    if at("(deleted)") { i += 9 }
                    return text
                }
            }
            i += 1
        }
        throw fail("unterminated '<' annotation")
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let f = s.utf8.first, !(f >= UInt8(ascii: "0") && f <= UInt8(ascii: "9")) else { return false }
        return s.utf8.allSatisfy { isKeyByte($0) && $0 != UInt8(ascii: "[") && $0 != UInt8(ascii: "]") && $0 != UInt8(ascii: ".") }
    }
}

extension String {
    var trimmedSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
