import Yams

// Inline test events are written in YAML but are trace lines: converting the
// node to JSON lets the trace's own decoder read them, so an inline event
// means exactly what the same line in a trace file means.

enum YAMLToJSON {
    static func write(_ n: Node, into out: inout [UInt8]) {
        switch n {
        case .mapping(let m):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (k, v) in m {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                string(k.string ?? "", into: &out)
                out.append(UInt8(ascii: ":"))
                write(v, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .sequence(let s):
            out.append(UInt8(ascii: "["))
            for (i, v) in s.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(v, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .scalar(let s):
            out.append(contentsOf: scalar(s).utf8)
        case .alias:
            out.append(contentsOf: "null".utf8)
        }
    }

    /// A plain scalar that reads as a number, boolean or null is one; anything
    /// quoted, and any other text, is a string.
    static func scalar(_ s: Node.Scalar) -> String {
        var text = ""
        if s.style == .plain {
            switch s.string {
            case "null", "~", "": return "null"
            case "true", "false": return s.string
            default:
                if Int64(s.string) != nil || UInt64(s.string) != nil { return s.string }
            }
        }
        var b: [UInt8] = []
        string(s.string, into: &b)
        text = String(decoding: b, as: UTF8.self)
        return text
    }

    static func string(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 10: out.append(contentsOf: "\\n".utf8)
            case 13: out.append(contentsOf: "\\r".utf8)
            case 9: out.append(contentsOf: "\\t".utf8)
            case 0..<32:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(c >> 4)])
                out.append(hex[Int(c & 15)])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
