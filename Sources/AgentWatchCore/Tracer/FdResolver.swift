import CPtrace
import Glibc

/// Says what a tracee's descriptor is, asking the kernel at the stop rather
/// than tracking opens: descriptors made by untraced syscalls or inherited
/// from outside resolve as well as traced ones, and nothing goes stale.
enum FdResolver {
    static func readlink(_ path: String) -> String? { SystemFiles.readlink(path) }

    static func cwd(tid: Int32) -> String? { readlink("/proc/\(tid)/cwd") }

    static func resolve(pid: Int32, fd: Int32) -> FdInfo? {
        if fd < 0 { return nil }
        guard let target = link(pid: pid, fd: fd) else { return nil }
        return classify(target, pid: pid, fd: fd)
    }

    static func link(pid: Int32, fd: Int32) -> String? {
        SystemFiles.linkText { cp_fd_link(pid, fd, $0, $1) }
    }

    static func classify(_ target: String, pid: Int32, fd: Int32) -> FdInfo {
        if target.hasPrefix("/") {
            if target.hasPrefix("/memfd:") { return FdInfo(kind: .memfd, name: target) }
            if target.hasPrefix("/dev/") && !target.hasPrefix("/dev/shm/") { return FdInfo(kind: .device, name: target) }
            return FdInfo(kind: .file, name: target)
        }
        if target.hasPrefix("socket:") { return socket(pid: pid, fd: fd, name: target) }
        if target.hasPrefix("pipe:") { return FdInfo(kind: .pipe, name: target) }
        if target.hasPrefix("anon_inode:") {
            let what = target.dropFirst("anon_inode:".count).trimmingCharacters(in: "[]")
            switch what {
            case "eventfd": return FdInfo(kind: .eventfd, name: target)
            case "eventpoll": return FdInfo(kind: .eventpoll, name: target)
            case "inotify": return FdInfo(kind: .inotify, name: target)
            case "signalfd": return FdInfo(kind: .signalfd, name: target)
            case "timerfd": return FdInfo(kind: .timerfd, name: target)
            case "pidfd": return FdInfo(kind: .pidfd, name: target)
            case "io_uring": return FdInfo(kind: .iouring, name: target)
            default: return FdInfo(kind: .anon, name: target)
            }
        }
        return FdInfo(kind: .unknown, name: target)
    }

    static func socket(pid: Int32, fd: Int32, name: String) -> FdInfo {
        let mine = cp_dup_tracee_fd(pid, fd)
        if mine < 0 { return FdInfo(kind: .socket, name: name) }
        defer { close(mine) }
        return socket(mine, name: name)
    }

    /// For a descriptor a syscall takes only as a socket (connect, sendto…): the
    /// descriptor itself is asked first (a pidfd_getfd and an fstat), which
    /// spares the readlink of /proc that a socket answers with its inode only.
    static func resolveExpectingSocket(pid: Int32, fd: Int32) -> FdInfo? {
        if fd < 0 { return nil }
        let mine = cp_dup_tracee_fd(pid, fd)
        if mine < 0 { return resolve(pid: pid, fd: fd) }
        defer { close(mine) }
        var st = stat()
        guard fstat(mine, &st) == 0, st.st_mode & S_IFMT == S_IFSOCK else { return resolve(pid: pid, fd: fd) }
        return socket(mine, name: "socket:[\(st.st_ino)]")
    }

    /// A socket of ours (a duplicate of the tracee's), described.
    private static func socket(_ mine: Int32, name: String) -> FdInfo {
        var facts = cp_socket_facts()
        if cp_socket_facts_of(mine, &facts) != 0 { return FdInfo(kind: .socket, name: name) }
        let local = facts.local_len > 0 ? SockaddrCodec.decode(bytes(of: facts.local, facts.local_len)) : nil
        let remote = facts.peer_len > 0 ? SockaddrCodec.decode(bytes(of: facts.peer, facts.peer_len)) : nil
        let proto = protoName(domain: facts.domain, type: facts.type, protocol: facts.protocol)
        switch facts.domain {
        case 2, 10:
            let kind: FdInfo.Kind = facts.domain == 2 ? .ipv4 : .ipv6
            return FdInfo(kind: kind, name: inetName(local: local, remote: remote), local: local, remote: remote, proto: proto)
        case 1:
            let path = [remote?.address, local?.address].compactMap { $0 }.first { !$0.isEmpty } ?? name
            var info = FdInfo(kind: .unix, name: path, local: local, remote: remote, proto: proto)
            info.peerPid = facts.peer_pid
            info.inode = UInt64(facts.inode)
            return info
        case 16:
            return FdInfo(kind: .netlink, name: name, local: local, remote: remote, proto: proto)
        default:
            return FdInfo(kind: .socket, name: name, local: local, remote: remote, proto: proto)
        }
    }

    /// Falco's rendering: "client:port->server:port" for a connected socket.
    static func inetName(local: SockAddr?, remote: SockAddr?) -> String {
        func ep(_ s: SockAddr?) -> String {
            guard let s else { return "" }
            return s.family == .inet6 ? "[\(s.address)]:\(s.port)" : "\(s.address):\(s.port)"
        }
        if let remote, remote.family != .unspec { return ep(local) + "->" + ep(remote) }
        return ep(local)
    }

    static func protoName(domain: Int32, type: Int32, protocol proto: Int32) -> String {
        let base = type & 0xf
        switch domain {
        case 2, 10:
            if base == 1 { return proto == 262 ? "mptcp" : "tcp" }
            if base == 2 { return proto == 1 || proto == 58 ? "icmp" : "udp" }
            if base == 3 { return "raw" }
            return "ip"
        case 1:
            return base == 1 ? "unix-stream" : base == 2 ? "unix-dgram" : "unix-seqpacket"
        default:
            return Flags.socketTypeBase.name(Int64(base)).lowercased()
        }
    }

    private static func bytes<T>(of tuple: T, _ len: UInt32) -> [UInt8] {
        withUnsafeBytes(of: tuple) { Array($0.prefix(Int(len))) }
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
