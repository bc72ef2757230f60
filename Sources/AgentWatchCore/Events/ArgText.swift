/// strace-like text for decoded values, shared by the printer, alerts and
/// the policy fields (evt.arg.NAME).
public enum ArgText {
    public static func render(_ v: ArgValue) -> String {
        switch v {
        case .int(let i): return String(i)
        case .hex(let h): return h == 0 ? "NULL" : "0x" + String(h, radix: 16)
        case .str(let s, let truncated): return quote(s) + (truncated ? "..." : "")
        case .path(let p, _): return quote(p)
        case .bytes(let b, let total): return quoteBytes(b) + (b.count < total ? "..." : "")
        case .flags(let raw, let names): return names.isEmpty ? String(raw) : names.joined(separator: "|")
        case .strings(let list, let truncated):
            return "[" + list.map(quote).joined(separator: ", ") + (truncated ? ", ..." : "") + "]"
        case .sockaddr(let sa): return sockaddr(sa)
        case .fd(let n, let info):
            guard let info else { return String(n) }
            return "\(n)<\(info.kind.rawValue):\(info.name)>"
        case .fds(let list): return "[" + list.map(String.init).joined(separator: ", ") + "]"
        case .unreadable(let a): return "0x" + String(a, radix: 16) + " (unreadable)"
        case .list(let items): return "[" + items.map(render).joined(separator: ", ") + "]"
        }
    }

    /// The bare value, as a policy compares it: no quotes, paths as paths.
    public static func plain(_ v: ArgValue) -> String {
        switch v {
        case .str(let s, _): return s
        case .path(let p, _): return p
        case .bytes(let b, _): return String(decoding: b, as: UTF8.self)
        case .fd(let n, _): return String(n)
        case .sockaddr(let sa): return endpoint(sa)
        default: return render(v)
        }
    }

    public static func endpoint(_ sa: SockAddr) -> String {
        switch sa.family {
        case .inet: return "\(sa.address):\(sa.port)"
        case .inet6: return "[\(sa.address)]:\(sa.port)"
        default: return sa.address
        }
    }

    public static func sockaddr(_ sa: SockAddr) -> String {
        switch sa.family {
        case .inet, .inet6: return "{\(sa.family.rawValue) \(endpoint(sa))}"
        case .unix: return "{unix \(quote(sa.address))}"
        default: return "{\(sa.family.rawValue) \(sa.address)}"
        }
    }

    public static func quote(_ s: String) -> String { quoteBytes(Array(s.utf8)) }

    public static func quoteBytes(_ b: [UInt8]) -> String {
        var out = "\""
        for c in b {
            switch c {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 10: out += "\\n"
            case 13: out += "\\r"
            case 9: out += "\\t"
            case 32..<127: out.unicodeScalars.append(Unicode.Scalar(c))
            default:
                let h = String(c, radix: 16)
                out += "\\x" + (h.count == 1 ? "0" + h : h)
            }
        }
        return out + "\""
    }
}
