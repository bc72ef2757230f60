import CPtrace
import Glibc

/// Bytes sent on a unix stream socket whose other end stays inside the traced
/// tree are not read: whatever a process in the tree relays onwards is read
/// where it leaves, on its own socket. Node gives every child a socketpair for
/// stdout and stderr (libuv); without this, each such write would be read and,
/// on stdout, could never run unstopped (StdioGuard).
///
/// The other end stays inside when the peer credentials (SO_PEERCRED: the
/// process that made the socketpair, or the listener that accepted) name a
/// traced process, or when the socket is one of agentwatch's own stdin, stdout
/// and stderr (the operator's harness reads those). Datagram sockets can be
/// connected elsewhere after their peer was recorded: they are always read.
final class TreeSockets {
    /// Inodes of agentwatch's own stdin, stdout and stderr that are unix stream sockets.
    let ownStdio: Set<UInt64>
    /// Whether a thread group is traced now.
    var isTraced: (Int32) -> Bool = { _ in false }

    init(ownStdio: Set<UInt64>) { self.ownStdio = ownStdio }

    /// A connected unix stream keeps its peer for good; a datagram socket does not.
    static func isUnixStream(_ info: FdInfo) -> Bool {
        info.kind == .unix && (info.proto == "unix-stream" || info.proto == "unix-seqpacket")
    }

    func staysInside(_ info: FdInfo) -> Bool {
        guard Self.isUnixStream(info) else { return false }
        if info.inode != 0, ownStdio.contains(info.inode) { return true }
        return info.peerPid > 0 && isTraced(info.peerPid)
    }

    /// agentwatch's own 0–2 as the root inherits them: nil when one is closed or
    /// is a socket other than a unix stream (its bytes would have to be read),
    /// else the inodes of those that are unix stream sockets.
    static func ownStdioSockets() -> Set<UInt64>? {
        var inodes: Set<UInt64> = []
        for fd: Int32 in 0...2 {
            var st = stat()
            guard fstat(fd, &st) == 0 else { return nil }
            guard st.st_mode & S_IFMT == S_IFSOCK else { continue }
            var facts = cp_socket_facts()
            guard cp_socket_facts_of(fd, &facts) == 0 else { return nil }
            let info = FdInfo(kind: facts.domain == 1 ? .unix : .socket, name: "",
                              proto: FdResolver.protoName(domain: facts.domain, type: facts.type, protocol: facts.protocol))
            guard isUnixStream(info) else { return nil }
            inodes.insert(UInt64(st.st_ino))
        }
        return inodes
    }
}
