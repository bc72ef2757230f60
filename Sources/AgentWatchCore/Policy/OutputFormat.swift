// Falco output strings: literal text with `%field` references, rendered at
// match time. Fields unknown or meaningless under ptrace render as <NA>.

struct OutputFormat: Sendable {
    enum Part: Sendable {
        case text(String)
        case field(BoundField)
        case unavailable(String)
    }

    let parts: [Part]

    /// Returns the format and the names of fields that are not fields at all.
    static func parse(_ s: String) -> (OutputFormat, unknown: [String]) {
        var parts: [Part] = []
        var unknown: [String] = []
        var lit: [UInt8] = []
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            guard b[i] == UInt8(ascii: "%"), i + 1 < b.count, isNameByte(b[i + 1]) || b[i + 1] == UInt8(ascii: "(") else {
                lit.append(b[i])
                i += 1
                continue
            }
            var j = i + 1
            let paren = b[j] == UInt8(ascii: "(")
            if paren { j += 1 }
            let start = j
            while j < b.count, isNameByte(b[j]) { j += 1 }
            var end = j
            // A sentence-ending dot is not part of the name.
            while end > start, b[end - 1] == UInt8(ascii: ".") { end -= 1 }
            j = end
            var arg: String?
            if j < b.count, b[j] == UInt8(ascii: "[") , let close = b[j...].firstIndex(of: UInt8(ascii: "]")) {
                arg = String(decoding: b[(j + 1)..<close], as: UTF8.self)
                j = close + 1
            }
            if paren, j < b.count, b[j] == UInt8(ascii: ")") { j += 1 }
            let name = String(decoding: b[start..<end], as: UTF8.self)
            if !lit.isEmpty { parts.append(.text(String(decoding: lit, as: UTF8.self))); lit = [] }
            let text = arg.map { "\(name)[\($0)]" } ?? name
            switch FieldLookup.lookup(name: name, arg: arg) {
            case .supported(let spec, let a):
                parts.append(.field(BoundField(spec: spec, arg: a, transformers: [], text: text)))
            case .unsupported:
                parts.append(.unavailable(text))
            case .unknown, .badArgument:
                unknown.append(text)
                parts.append(.unavailable(text))
            }
            i = j
        }
        if !lit.isEmpty { parts.append(.text(String(decoding: lit, as: UTF8.self))) }
        return (OutputFormat(parts: parts), unknown)
    }

    var fields: [BoundField] {
        parts.compactMap { if case .field(let f) = $0 { return f } else { return nil } }
    }

    /// `fallback` fills fields this event lacks (a sequence's earlier steps).
    func render(_ ctx: EvalContext, fallback: [String: String] = [:]) -> String {
        var out = ""
        for p in parts {
            switch p {
            case .text(let t): out += t
            case .field(let f): out += f.value(ctx)?.description ?? fallback[f.text] ?? "<NA>"
            case .unavailable: out += "<NA>"
            }
        }
        return out
    }

    private static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
    }
}
