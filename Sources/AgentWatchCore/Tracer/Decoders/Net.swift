// socket, connect, bind, listen, accept, sendto, sendmsg, sendmmsg, recvfrom,
// and read/write/readv/writev on sockets: who the agent talks to and its first words.
enum NetDecoders {

    /// The parts of a struct msghdr the decoders use (layout differs on i386).
    struct MsgHeader { let name: UInt64, namelen: UInt64, iov: UInt64, iovlen: UInt64 }

    static func readMsgHeader(_ c: DecodeContext, _ ptr: UInt64) -> MsgHeader? {
        let size = c.compat ? 28 : 56
        guard let b = c.mem.bytes(ptr, size), b.count == size else { return nil }
        return MsgHeader(name: c.compat ? UInt64(le32(b, 0)) : le64(b, 0), namelen: UInt64(le32(b, c.compat ? 4 : 8)),
                         iov: c.compat ? UInt64(le32(b, 8)) : le64(b, 16), iovlen: c.compat ? UInt64(le32(b, 12)) : le64(b, 24))
    }

    /// msghdr: the destination and (with `bytes`) the first bytes of its iovecs.
    static func msghdr(_ c: inout DecodeContext, _ ptr: UInt64, bytes: Bool) -> [Arg] {
        guard let h = readMsgHeader(c, ptr) else {
            c.unreadable = true
            return [Arg("msg", .unreadable(ptr))]
        }
        var out: [Arg] = []
        if let sa = c.sockaddr(ptr: h.name, len: h.namelen) { out.append(Arg("addr", sa)) }
        if bytes { out.append(Arg("data", c.iovecPayload(ptr: h.iov, count: h.iovlen))) }
        return out
    }

    static let entry: [String: EntryDecoder] = [
        "socket": { c in
            [Arg("domain", Flags.socketFamily.value(c.u(0))), Arg("type", Flags.socketType(c.u(1))),
             Arg("protocol", Flags.ipProto.value(c.u(2)))]
        },
        "socketpair": { c in
            [Arg("domain", Flags.socketFamily.value(c.u(0))), Arg("type", Flags.socketType(c.u(1))),
             Arg("protocol", c.num(2))]
        },
        "connect": { c in
            var args = [Arg("fd", c.socketFd(0))]
            args.append(Arg("addr", c.sockaddr(ptr: c.u(1), len: c.u(2)) ?? .hex(c.u(1))))
            return args
        },
        "bind": { c in
            [Arg("fd", c.socketFd(0)), Arg("addr", c.sockaddr(ptr: c.u(1), len: c.u(2)) ?? .hex(c.u(1)))]
        },
        "listen": { c in [Arg("fd", c.socketFd(0)), Arg("backlog", c.num(1))] },
        "accept": { c in [Arg("fd", c.socketFd(0))] },
        "accept4": { c in
            [Arg("fd", c.socketFd(0)),
             Arg("flags", FlagTable([(0o4000, "SOCK_NONBLOCK"), (0o2000000, "SOCK_CLOEXEC")]).value(c.u(3)))]
        },
        "sendto": { c in
            let fd = c.socketFd(0)
            var args = [Arg("fd", fd)]
            if c.readsBytes(fd, unresolved: true) { args.append(Arg("data", c.payload(ptr: c.u(1), len: c.u(2)))) }
            args.append(Arg("flags", Flags.msg.value(c.u(3))))
            if let sa = c.sockaddr(ptr: c.u(4), len: c.u(5)) { args.append(Arg("addr", sa)) }
            return args
        },
        "sendmsg": { c in
            let fd = c.socketFd(0)
            let message = msghdr(&c, c.u(1), bytes: c.readsBytes(fd, unresolved: true))
            return [Arg("fd", fd)] + message + [Arg("flags", Flags.msg.value(c.u(2)))]
        },
        "sendmmsg": { c in
            // Each message may name its own destination: decode every address.
            let count = Int(min(c.u(2), 64))
            let stride = c.compat ? 32 : 64
            let fd = c.socketFd(0)
            let bytes = c.readsBytes(fd, unresolved: true)
            var args = [Arg("fd", fd)]
            var addrs: [ArgValue] = []
            for i in 0..<count {
                let part = msghdr(&c, c.u(1) + UInt64(i * stride), bytes: bytes)
                for a in part {
                    if a.name == "addr" { addrs.append(a.value) }
                    if i == 0 && a.name == "data" { args.append(a) }
                }
            }
            if addrs.count == 1, let only = addrs.first { args.append(Arg("addr", only)) }
            else if !addrs.isEmpty { args.append(Arg("addrs", .list(addrs))) }
            args.append(Arg("vlen", c.num(2)))
            args.append(Arg("flags", Flags.msg.value(c.u(3))))
            return args
        },
        "recvfrom": { c in
            [Arg("fd", c.socketFd(0)), Arg("len", c.num(2)), Arg("flags", Flags.msg.value(c.u(3)))]
        },
        "recvmsg": { c in [Arg("fd", c.socketFd(0)), Arg("flags", Flags.msg.value(c.u(2)))] },
        "write": { c in
            let fd = c.fd(0)
            guard c.readsBytes(fd, unresolved: false) else { return [Arg("fd", fd), Arg("count", c.num(2))] }
            return [Arg("fd", fd), Arg("data", c.payload(ptr: c.u(1), len: c.u(2))), Arg("count", c.num(2))]
        },
        "read": { c in [Arg("fd", c.fd(0)), Arg("count", c.num(2))] },
        "readv": { c in [Arg("fd", c.fd(0)), Arg("iovcnt", c.num(2))] },
        "writev": { c in
            let fd = c.fd(0)
            guard c.readsBytes(fd, unresolved: false) else { return [Arg("fd", fd), Arg("iovcnt", c.num(2))] }
            return [Arg("fd", fd), Arg("data", c.iovecPayload(ptr: c.u(1), count: c.u(2))), Arg("iovcnt", c.num(2))]
        },
    ]

    static let acceptExit: ExitDecoder = { c, r in
        let fd = Int32(truncatingIfNeeded: r)
        return [Arg("fd", .fd(fd, FdResolver.resolveExpectingSocket(pid: c.pid, fd: fd)))]
    }

    /// What recvmsg received: the sender (msg_name, as the kernel filled it) and the bytes.
    static let recvmsgExit: ExitDecoder = { c, r in
        guard let h = readMsgHeader(c, c.u(1)) else { return [] }
        var out: [Arg] = []
        if let sa = c.sockaddr(ptr: h.name, len: h.namelen) { out.append(Arg("addr", sa)) }
        if case .bytes(let data, _) = c.iovecPayload(ptr: h.iov, count: h.iovlen) {
            out.append(Arg("data", .bytes(Array(data.prefix(Int(r))), total: Int(r))))
        }
        return out
    }

    /// What a read from a socket brought in (files and pipes keep their bytes to themselves).
    static let readExit: ExitDecoder = { c, r in
        guard case .fd(_, let info?) = c.fd(0), info.isSocket else { return [] }
        return [Arg("data", c.payload(ptr: c.u(1), len: UInt64(r)))]
    }

    static let readvExit: ExitDecoder = { c, r in
        guard case .fd(_, let info?) = c.fd(0), info.isSocket,
              case .bytes(let data, _) = c.iovecPayload(ptr: c.u(1), count: c.u(2)) else { return [] }
        return [Arg("data", .bytes(Array(data.prefix(Int(r))), total: Int(r)))]
    }

    static let exit: [String: ExitDecoder] = [
        "read": readExit,
        "readv": readvExit,
        "recvmsg": recvmsgExit,
        "socket": OpenDecoders.returnsFd,
        "accept": acceptExit,
        "accept4": acceptExit,
        "connect": { c, _ in [Arg("fd", c.fd(0))] },
        "bind": { c, _ in [Arg("fd", c.fd(0))] },
        "socketpair": { c, _ in
            guard let b = c.mem.bytes(c.u(3), 8), b.count == 8 else { return [] }
            return [Arg("sv", .fds([Int32(bitPattern: le32(b, 0)), Int32(bitPattern: le32(b, 4))]))]
        },
        "recvfrom": { c, r in
            var out = [Arg("data", c.payload(ptr: c.u(1), len: UInt64(r)))]
            if c.u(4) != 0, let lb = c.mem.bytes(c.u(5), 4), lb.count == 4,
               let sa = c.sockaddr(ptr: c.u(4), len: UInt64(le32(lb, 0))) {
                out.append(Arg("addr", sa))
            }
            return out
        },
    ]
}
