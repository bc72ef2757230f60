// Values produced by field extractors. A field that has no meaning for an
// event returns nil ("missing"), which is distinct from an empty string.

public enum FieldType: String, Sendable {
    case string, int, bool, ip, bytes
}

public enum FieldValue: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case ip(IPAddress)
    case bytes([UInt8])
    /// Several values at once (`proc.aname` without index, `fd.ip`): a check
    /// holds when it holds for any of them.
    case many([FieldValue])

    public var description: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .ip(let a): return a.description
        case .bytes(let b): return BufferText.render(b)
        case .many(let vs): return vs.map(\.description).joined(separator: ",")
        }
    }
}

enum BufferText {
    /// Printable ASCII stays, everything else becomes '.', as sysdig prints buffers.
    static func render(_ b: [UInt8]) -> String {
        String(decoding: b.map { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A || $0 == 0x09 ? $0 : UInt8(ascii: ".") }, as: UTF8.self)
    }
}
