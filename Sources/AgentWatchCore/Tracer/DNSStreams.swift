import CPtrace

/// glibc falls back to TCP when an answer does not fit in UDP, and reads it with
/// read(2) — far too hot a syscall to stop on for everyone. So only a task that
/// connected a TCP socket to a trusted resolver is stepped syscall by syscall
/// (PTRACE_SYSCALL) until it closes that socket or execs, and only its traffic on
/// that socket is decoded. UDP answers come through recvfrom/recvmsg, which the
/// prefilter already stops on when hostname rules are loaded.
extension TraceSession {
    /// The largest DNS message plus its TCP length prefix: answers are kept whole.
    static let dnsMessageLimit = 65_537

    static let dnsStreamCalls: Set<String> = [
        "read", "readv", "recvfrom", "recvmsg", "write", "writev", "sendto", "sendmsg", "close",
    ]

    /// Updates the task's followed streams for this syscall; true when its
    /// result carries DNS bytes (so the exit stop is needed).
    func watchDNSStream(_ task: TaskState, _ name: String, _ args: [Arg], _ ctx: inout DecodeContext) -> Bool {
        guard case .fd(let fd, let info)? = args.first?.value else { return false }
        switch name {
        case "connect":
            if info?.proto == "tcp", case .sockaddr(let to)? = args.first(where: { $0.name == "addr" })?.value,
               processes.hostnames.isTrusted(to) {
                task.dnsStreams.insert(fd)
            } else {
                task.dnsStreams.remove(fd)
            }
            return false
        case "close":
            task.dnsStreams.remove(fd)
            return false
        case "read", "readv", "recvfrom", "recvmsg":
            guard let remote = info?.remote, processes.hostnames.isTrusted(remote) else { return false }
            ctx.payloadLimit = Self.dnsMessageLimit
            return true
        case "write", "writev", "sendto", "sendmsg":
            return false
        default:
            return false
        }
    }

    /// An entry stop (only seen while stepping) that belongs to a followed
    /// stream and that the prefilter would not have stopped on anyway.
    func isDNSStreamTraffic(_ task: TaskState, _ info: cp_syscall_info) -> Bool {
        guard !task.dnsStreams.isEmpty, archOf(info) == .x86_64, !options.allSyscalls,
              !tracedNumbers.contains(Int(info.nr)) else { return false }
        let name = SyscallTable.name(nr: info.nr, arch: .x86_64)
        guard Self.dnsStreamCalls.contains(name) else { return false }
        let fd = withUnsafeBytes(of: info.args) { Int32(truncatingIfNeeded: $0.load(as: UInt64.self)) }
        return task.dnsStreams.contains(fd)
    }
}
