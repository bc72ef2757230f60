// fd.* fields. The descriptor is the one the kernel returned (openat, accept
// at exit), else the one the syscall operates on (`fd`, `sockfd`, `oldfd`, …).
// For connect/sendto the address argument is the peer. Client/server follows
// Falco: for an outgoing connection the server is the peer; for an accepted
// one it is our side.

extension FieldTable {
    static let fdFields: [FieldSpec] = [
        FieldSpec("fd.num", .int, "Descriptor number; -1 when an open failed.", availability: .exitWhenFdCreated) { c, _ in
            c.fd?.num.map { .int($0) }
        },
        FieldSpec("fd.type", .string, "file, directory, ipv4, ipv6, unix, netlink, pipe, event, signalfd, eventpoll, inotify, timerfd, memfd, pidfd, io_uring…") { c, _ in
            c.fd?.kind.map { .string(typeName($0)) }
        },
        FieldSpec("fd.typechar", .string, "One letter: f file, d directory, 4 ipv4, 6 ipv6, u unix, n netlink, p pipe, e event, s signalfd, l eventpoll, i inotify, t timerfd, o other.") { c, _ in
            c.fd?.kind.map { .string(typeChar($0)) }
        },
        FieldSpec("fd.name", .string, "File path, or `cip:cport->sip:sport` for IP sockets, or the unix socket path.") { c, _ in
            c.fd?.name.map { .string($0) }
        },
        FieldSpec("fd.nameraw", .string, "Path as the program passed it (relative, with `..`).") { c, _ in
            c.fd?.nameRaw.map { .string($0) }
        },
        FieldSpec("fd.directory", .string, "Directory of a file fd.") { c, _ in
            c.fdDirectory.flatMap { $0 }.map { .string($0) }
        },
        FieldSpec("fd.filename", .string, "Base name of a file fd.") { c, _ in
            c.fdFilename.map { .string($0) }
        },
        FieldSpec("fd.sip", .ip, "Server IP address.") { c, _ in ip(c, server(c)) },
        FieldSpec("fd.sport", .int, "Server port.") { c, _ in port(server(c)) },
        FieldSpec("fd.cip", .ip, "Client IP address.") { c, _ in ip(c, client(c)) },
        FieldSpec("fd.cport", .int, "Client port.") { c, _ in port(client(c)) },
        FieldSpec("fd.rip", .ip, "Remote (peer) IP address.") { c, _ in ip(c, c.fd?.remote) },
        FieldSpec("fd.rport", .int, "Remote (peer) port.") { c, _ in port(c.fd?.remote) },
        FieldSpec("fd.lip", .ip, "Local IP address.") { c, _ in ip(c, c.fd?.local) },
        FieldSpec("fd.lport", .int, "Local port.") { c, _ in port(c.fd?.local) },
        FieldSpec("fd.ip", .ip, "Either end's IP (a check holds if it holds for client or server).") { c, _ in
            many([ip(c, client(c)), ip(c, server(c))])
        },
        FieldSpec("fd.port", .int, "Either end's port.") { c, _ in many([port(client(c)), port(server(c))]) },
        FieldSpec("fd.net", .ip, "Either end's IP, compared against networks: `fd.net = 10.0.0.0/8`.") { c, _ in
            many([ip(c, client(c)), ip(c, server(c))])
        },
        FieldSpec("fd.snet", .ip, "Server IP, compared against networks.") { c, _ in ip(c, server(c)) },
        FieldSpec("fd.cnet", .ip, "Client IP, compared against networks.") { c, _ in ip(c, client(c)) },
        FieldSpec("fd.rnet", .ip, "Remote IP, compared against networks.") { c, _ in ip(c, c.fd?.remote) },
        FieldSpec("fd.lnet", .ip, "Local IP, compared against networks.") { c, _ in ip(c, c.fd?.local) },
        FieldSpec("fd.connected", .bool, "For a socket: it has a peer (connected TCP, connected UDP), as the kernel says at the stop.") { c, _ in
            guard let info = socketInfo(c) else { return nil }
            return .bool(info.remote.map { $0.family != .unspec } ?? false)
        },
        FieldSpec("fd.name_changed", .bool, "The syscall names a destination other than the socket's peer (sendto/sendmsg with an address on a UDP socket).") { c, _ in
            guard let info = socketInfo(c) else { return nil }
            guard case .sockaddr(let to)? = c.arg("addr") else { return .bool(false) }
            return .bool(info.remote.map { ArgText.endpoint($0) != ArgText.endpoint(to) } ?? true)
        },
        FieldSpec("fd.sip.name", .string, "Name the traced tree resolved for the server IP through a trusted resolver (DNS answers it received), lowercased.") { c, _ in
            hostname(c, server(c))
        },
        FieldSpec("fd.cip.name", .string, "Resolved name of the client IP.") { c, _ in hostname(c, client(c)) },
        FieldSpec("fd.rip.name", .string, "Resolved name of the remote IP.") { c, _ in hostname(c, c.fd?.remote) },
        FieldSpec("fd.lip.name", .string, "Resolved name of the local IP.") { c, _ in hostname(c, c.fd?.local) },
        FieldSpec("fd.sni", .string, "Server name of a TLS ClientHello in the bytes this syscall sends (write, sendto, sendmsg…), lowercased (ours).") { c, _ in
            guard case .bytes(let b, _)? = c.arg("data"), let name = TLSClientHello.serverName(b) else { return nil }
            return .string(name)
        },
        FieldSpec("fd.dns.query", .string, "Name asked by a DNS query in the bytes this syscall sends on a socket (sendto, sendmsg, sendmmsg, write, writev; UDP, or TCP with its length prefix; any port), lowercased (ours).") { c, _ in
            guard socketInfo(c) != nil, case .bytes(let b, _)? = c.arg("data"), let name = DNSMessage.query(b) else { return nil }
            return .string(name)
        },
        FieldSpec("fd.l4proto", .string, "tcp, udp, raw, or the unix socket type.") { c, _ in
            c.fd?.proto.map { .string($0) }
        },
        FieldSpec("fd.sockfamily", .string, "`ip` or `unix` for sockets.") { c, _ in
            switch c.fd?.kind {
            case .ipv4?, .ipv6?: return .string("ip")
            case .unix?: return .string("unix")
            default: return nil
            }
        },
        FieldSpec("fd.sendbytes", .bytes, "First bytes sent or written to this fd (write, send*, sendmsg).") { c, _ in
            firstBuffer(c).map { .bytes($0) }
        },
    ]

    static func hostname(_ c: EvalContext, _ a: SockAddr?) -> FieldValue? {
        guard let a, a.family == .inet || a.family == .inet6 else { return nil }
        let text: String?
        if let memo = c.fdMemo { text = memo.ips.entry(a.address).canonical } else { text = IPAddress(a.address)?.description }
        guard let text, let name = c.processes.hostnames.name(of: text) else { return nil }
        return .string(name)
    }

    /// The socket the syscall operates on, as the kernel described it at the stop.
    static func socketInfo(_ c: EvalContext) -> FdInfo? {
        for name in ["fd", "sockfd"] {
            if case .fd(_, let info?)? = c.arg(name), info.isSocket { return info }
        }
        return nil
    }

    static func typeName(_ k: FdInfo.Kind) -> String {
        switch k {
        case .eventfd: return "event"
        case .iouring: return "io_uring"
        default: return k.rawValue
        }
    }

    static func typeChar(_ k: FdInfo.Kind) -> String {
        switch k {
        case .file, .memfd, .device: return "f"
        case .directory: return "d"
        case .ipv4: return "4"
        case .ipv6: return "6"
        case .unix: return "u"
        case .netlink: return "n"
        case .pipe, .fifo: return "p"
        case .eventfd: return "e"
        case .signalfd: return "s"
        case .eventpoll: return "l"
        case .inotify: return "i"
        case .timerfd: return "t"
        case .socket, .pidfd, .iouring, .anon, .unknown: return "o"
        }
    }

    static func fileName(_ c: EvalContext) -> String? {
        guard let fd = c.fd, let n = fd.name else { return nil }
        switch fd.kind {
        case .file?, .directory?, .device?, .memfd?, nil: return n.hasPrefix("/") ? n : nil
        default: return nil
        }
    }

    static func server(_ c: EvalContext) -> SockAddr? {
        guard let fd = c.fd else { return nil }
        return fd.localIsServer ? fd.local : fd.remote
    }

    static func client(_ c: EvalContext) -> SockAddr? {
        guard let fd = c.fd else { return nil }
        return fd.localIsServer ? fd.remote : fd.local
    }

    static func ip(_ c: EvalContext, _ a: SockAddr?) -> FieldValue? {
        guard let a, a.family == .inet || a.family == .inet6 else { return nil }
        let parsed = c.fdMemo.map { $0.ips.entry(a.address).ip } ?? IPAddress(a.address)
        return parsed.map { .ip($0) }
    }

    static func port(_ a: SockAddr?) -> FieldValue? {
        guard let a, a.family == .inet || a.family == .inet6 else { return nil }
        return .int(Int64(a.port))
    }

    static func many(_ vs: [FieldValue?]) -> FieldValue? {
        let present = vs.compactMap { $0 }
        if present.isEmpty { return nil }
        return present.count == 1 ? present[0] : .many(present)
    }
}
