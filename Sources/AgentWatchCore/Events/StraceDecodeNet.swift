// Sockets from strace text, with the argument names and types of
// Tracer/Decoders/Net.swift: who the agent talks to and its first words.

extension StraceDecoder {
    mutating func netArgs() -> [Arg]? {
        switch name {
        case "socket":
            return [Arg("domain", flags(0, Flags.socketFamily.value)), Arg("type", flags(1, Flags.socketType)),
                    Arg("protocol", flags(2, Flags.ipProto.value))]
        case "socketpair":
            return [Arg("domain", flags(0, Flags.socketFamily.value)), Arg("type", flags(1, Flags.socketType)), Arg("protocol", num(2))]
        case "connect", "bind": return [Arg("fd", fd(0)), Arg("addr", sockaddrArg(1))]
        case "listen": return [Arg("fd", fd(0)), Arg("backlog", num(1))]
        case "accept": return [Arg("fd", fd(0))]
        case "accept4":
            return [Arg("fd", fd(0)), Arg("flags", flags(3, FlagTable([(0o4000, "SOCK_NONBLOCK"), (0o2000000, "SOCK_CLOEXEC")]).value))]
        case "sendto", "send":
            var out = [Arg("fd", fd(0)), Arg("data", Self.payload(value(1), total: Self.integer(value(2)))),
                       Arg("flags", flags(3, Flags.msg.value))]
            if let sa = Self.sockaddr(value(4)) { out.append(Arg("addr", .sockaddr(sa))) }
            return out
        case "sendmsg":
            return [Arg("fd", fd(0))] + msghdr(value(1)) + [Arg("flags", flags(2, Flags.msg.value))]
        case "sendmmsg":
            // [{msg_hdr={…}, msg_len=5}, …]: every destination, the first message's data.
            var out = [Arg("fd", fd(0))]
            var addrs: [ArgValue] = []
            if case .array(let msgs, _)? = value(1) {
                for (i, m) in msgs.enumerated() {
                    for a in msghdr(m.field("msg_hdr")) {
                        if a.name == "addr" { addrs.append(a.value) }
                        if i == 0 && a.name == "data" { out.append(a) }
                    }
                }
            }
            if addrs.count == 1, let only = addrs.first { out.append(Arg("addr", only)) }
            else if !addrs.isEmpty { out.append(Arg("addrs", .list(addrs))) }
            out.append(Arg("vlen", num(2)))
            out.append(Arg("flags", flags(3, Flags.msg.value)))
            return out
        case "recvfrom": return [Arg("fd", fd(0)), Arg("len", num(2)), Arg("flags", flags(3, Flags.msg.value))]
        case "recvmsg": return [Arg("fd", fd(0)), Arg("flags", flags(2, Flags.msg.value))]
        case "write":
            let f = fd(0)
            guard isSocket(f) else { return [Arg("fd", f), Arg("count", num(2))] }
            return [Arg("fd", f), Arg("data", Self.payload(value(1), total: Self.integer(value(2)))), Arg("count", num(2))]
        case "writev":
            let f = fd(0)
            guard isSocket(f) else { return [Arg("fd", f), Arg("iovcnt", num(2))] }
            return [Arg("fd", f), Arg("data", Self.payload(value(1), total: nil)), Arg("iovcnt", num(2))]
        default: return nil
        }
    }

    func netOut(_ entry: [Arg]) -> [Arg]? {
        guard let ret, ret >= 0 else { return nil }
        switch name {
        case "socket": return [Arg("fd", resultFd(ret, fallback: newSocket(entry)))]
        case "accept", "accept4":
            var peer = fdInfo(entry, "fd")
            if let sa = Self.sockaddr(value(1)) { peer = Self.connected(peer, remote: sa) }
            return [Arg("fd", resultFd(ret, fallback: peer))]
        case "connect", "bind":
            guard case .fd(let n, let info)? = entry.first?.value else { return [] }
            guard case .sockaddr(let sa)? = entry.first(where: { $0.name == "addr" })?.value else { return [Arg("fd", .fd(n, info))] }
            return [Arg("fd", .fd(n, name == "connect" ? Self.connected(info, remote: sa) : Self.bound(info, local: sa)))]
        case "socketpair":
            guard case .array(let items, _)? = value(3) else { return [] }
            return [Arg("sv", .fds(items.map { Int32(truncatingIfNeeded: Self.integer($0) ?? -1) }))]
        case "recvfrom":
            var out = [Arg("data", Self.payload(value(1), total: ret))]
            if let sa = Self.sockaddr(value(4)) { out.append(Arg("addr", .sockaddr(sa))) }
            return out
        case "recvmsg":
            // strace prints the message as received: sender in msg_name, bytes in msg_iov.
            guard let m = value(1)?.final, case .structure = m else { return [] }
            var out: [Arg] = []
            if let sa = Self.sockaddr(m.field("msg_name")) { out.append(Arg("addr", .sockaddr(sa))) }
            if case .bytes(let data, _) = Self.payload(m.field("msg_iov"), total: nil) {
                out.append(Arg("data", .bytes(Array(data.prefix(Int(clamping: ret))), total: Int(clamping: ret))))
            }
            return out
        default: return nil
        }
    }

    func isSocket(_ v: ArgValue) -> Bool {
        if case .fd(_, let info?) = v { return info.isSocket }
        return false
    }

    /// `{msg_name={sa_family=…}, msg_namelen=16, msg_iov=[{iov_base="…", iov_len=5}], …}`
    func msghdr(_ v: StraceValue?) -> [Arg] {
        guard let v, case .structure = v else { return [Arg("msg", Self.hex(v))] }
        var out: [Arg] = []
        if let sa = Self.sockaddr(v.field("msg_name")) { out.append(Arg("addr", .sockaddr(sa))) }
        out.append(Arg("data", Self.payload(v.field("msg_iov"), total: nil)))
        return out
    }

    /// A fresh socket as the kernel reports it before bind/connect (wildcard local address).
    func newSocket(_ entry: [Arg]) -> FdInfo? {
        guard case .flags(let domain, _)? = entry.first?.value, case .flags(let type, _)? = entry.dropFirst().first?.value else { return nil }
        var proto: Int32 = 0
        if entry.count > 2, case .flags(let p, _) = entry[2].value { proto = Int32(truncatingIfNeeded: p) }
        let protoName = FdResolver.protoName(domain: Int32(domain), type: Int32(truncatingIfNeeded: type), protocol: proto)
        switch domain {
        case 2, 10:
            let local = SockAddr(family: domain == 2 ? .inet : .inet6, address: domain == 2 ? "0.0.0.0" : "::", raw: Int32(domain))
            return FdInfo(kind: domain == 2 ? .ipv4 : .ipv6, name: FdResolver.inetName(local: local, remote: nil), local: local, proto: protoName)
        case 1: return FdInfo(kind: .unix, name: "socket:[?]", proto: protoName)
        case 16: return FdInfo(kind: .netlink, name: "socket:[?]", proto: protoName)
        default: return FdInfo(kind: .socket, name: "socket:[?]", proto: protoName)
        }
    }

    static func connected(_ info: FdInfo?, remote: SockAddr) -> FdInfo {
        var i = info ?? FdInfo(kind: kind(for: remote), name: "")
        i.remote = remote
        return renamed(i)
    }

    static func bound(_ info: FdInfo?, local: SockAddr) -> FdInfo {
        var i = info ?? FdInfo(kind: kind(for: local), name: "")
        i.local = local
        return renamed(i)
    }

    static func kind(for sa: SockAddr) -> FdInfo.Kind {
        switch sa.family {
        case .inet: return .ipv4
        case .inet6: return .ipv6
        case .unix: return .unix
        case .netlink: return .netlink
        default: return .socket
        }
    }

    /// Names the socket the way FdResolver does from its addresses.
    static func renamed(_ info: FdInfo) -> FdInfo {
        var i = info
        switch i.kind {
        case .ipv4, .ipv6: i.name = FdResolver.inetName(local: i.local, remote: i.remote)
        case .unix:
            if let p = [i.remote?.address, i.local?.address].compactMap({ $0 }).first(where: { !$0.isEmpty }) { i.name = p }
        default: break
        }
        return i
    }
}
