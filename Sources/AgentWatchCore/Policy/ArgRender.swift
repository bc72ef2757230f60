// strace-like text for decoded arguments, the form evt.arg.* compares against.

enum ArgRender {
    static func text(_ v: ArgValue) -> String {
        switch v {
        case .int(let i): return String(i)
        case .hex(let h): return "0x" + String(h, radix: 16)
        case .str(let s, _): return s
        case .path(let p, _): return p
        case .bytes(let b, _): return BufferText.render(b)
        case .flags(let raw, let names): return names.isEmpty ? String(raw) : names.joined(separator: "|")
        case .strings(let ss, _): return ss.joined(separator: " ")
        case .sockaddr(let a): return sockaddr(a)
        case .fd(let n, _): return String(n)
        case .fds(let fs): return "[" + fs.map(String.init).joined(separator: ",") + "]"
        case .unreadable(let a): return "0x" + String(a, radix: 16)
        case .list(let vs): return "[" + vs.map(text).joined(separator: ", ") + "]"
        }
    }

    /// The number behind a value, for evt.rawarg.* and numeric comparisons.
    static func raw(_ v: ArgValue) -> FieldValue {
        switch v {
        case .int(let i): return .int(i)
        case .hex(let h): return .int(Int64(bitPattern: h))
        case .flags(let raw, _): return .int(Int64(bitPattern: raw))
        case .fd(let n, _): return .int(Int64(n))
        case .unreadable(let a): return .int(Int64(bitPattern: a))
        case .path(_, let raw): return .string(raw)
        case .bytes(let b, _): return .bytes(b)
        default: return .string(text(v))
        }
    }

    static func sockaddr(_ a: SockAddr) -> String {
        switch a.family {
        case .inet, .inet6: return "\(a.address):\(a.port)"
        default: return a.address
        }
    }
}
