// What `strace -y`/`-yy` says a descriptor is (`3</etc/passwd>`,
// `3<TCP:[127.0.0.1:5555->127.0.0.1:4444]>`), as the FdInfo the live tracer
// would have built for it, so the same fd.* policy fields work on imports.

enum StraceAnnotation {
    static func fdInfo(_ text: String) -> FdInfo {
        let bytes = StraceValueParser.unescape(text)
        let t = String(decoding: bytes, as: UTF8.self)
        if t.hasPrefix("/") {
            // Devices carry their numbers: "/dev/null<char 1:3>".
            var path = Substring(t)
            if path.hasSuffix(">"), let lt = path.lastIndex(of: "<") { path = path[..<lt] }
            return classify(String(path))
        }
        if let colon = t.firstIndex(of: ":"), t[t.index(after: colon)...].hasPrefix("["), t.hasSuffix("]") {
            let proto = String(t[..<colon])
            let body = String(t[t.index(colon, offsetBy: 2)..<t.index(before: t.endIndex)])
            if let info = socket(proto: proto, body: body) { return info }
        }
        return classify(t)
    }

    /// Non-socket targets are named as FdResolver names readlink results.
    private static func classify(_ target: String) -> FdInfo {
        if target.hasPrefix("socket:") { return FdInfo(kind: .socket, name: target) }
        return FdResolver.classify(target, pid: 0, fd: -1)
    }

    static func socket(proto: String, body: String) -> FdInfo? {
        switch proto {
        case "TCP", "UDP", "UDPLITE", "RAW", "MPTCP", "TCPv6", "UDPv6", "UDPLITEv6", "RAWv6", "MPTCPv6":
            let v6 = proto.hasSuffix("v6")
            let name = String(proto.prefix(proto.count - (v6 ? 2 : 0))).lowercased()
            return inet(v6: v6, proto: name == "udplite" ? "udp" : name, body: body)
        case "UNIX", "UNIX-STREAM", "UNIX-DGRAM", "UNIX-SEQPACKET":
            return unix(proto: proto == "UNIX" ? nil : proto.lowercased(), body: body)
        case "NETLINK":
            return FdInfo(kind: .netlink, name: "NETLINK:[\(body)]")
        default:
            return nil
        }
    }

    /// "127.0.0.1:46500->127.0.0.1:4444", "[::1]:5555", or only an inode before
    /// the socket was bound (the kernel then reports the wildcard address).
    private static func inet(v6: Bool, proto: String, body: String) -> FdInfo {
        let kind: FdInfo.Kind = v6 ? .ipv6 : .ipv4
        let (left, right) = splitArrow(body)
        var local = endpoint(left, v6: v6)
        let remote = right.flatMap { endpoint($0, v6: v6) }
        if local == nil { local = SockAddr(family: v6 ? .inet6 : .inet, address: v6 ? "::" : "0.0.0.0", raw: v6 ? 10 : 2) }
        return FdInfo(kind: kind, name: FdResolver.inetName(local: local, remote: remote), local: local, remote: remote, proto: proto)
    }

    static func splitArrow(_ s: String) -> (String, String?) {
        let b = Array(s.utf8)
        var i = 0
        while i + 1 < b.count {
            if b[i] == UInt8(ascii: "-") && b[i + 1] == UInt8(ascii: ">") {
                return (String(decoding: b[..<i], as: UTF8.self), String(decoding: b[(i + 2)...], as: UTF8.self))
            }
            i += 1
        }
        return (s, nil)
    }

    static func endpoint(_ text: String, v6: Bool) -> SockAddr? {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        var host = text[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty else { return nil }
        return SockAddr(family: v6 ? .inet6 : .inet, address: String(host), port: port, raw: v6 ? 10 : 2)
    }

    /// "79852", "79848->79849", "79852,\"/tmp/s.sock\"": the path, when shown, is the socket's own name.
    private static func unix(proto: String?, body: String) -> FdInfo {
        var path: String?
        let b = Array(body.utf8)
        if let comma = b.firstIndex(of: UInt8(ascii: ",")), comma + 1 < b.count, b[comma + 1] == UInt8(ascii: "\"") {
            var p = StraceValueParser(b, at: comma + 1)
            if case .string(let s, _)? = try? p.value() { path = String(decoding: s, as: UTF8.self) }
        }
        let inode = body.prefix { $0 >= "0" && $0 <= "9" }
        let local = path.map { SockAddr(family: .unix, address: $0, raw: 1) }
        return FdInfo(kind: .unix, name: path ?? "socket:[\(inode)]", local: local, proto: proto)
    }
}
