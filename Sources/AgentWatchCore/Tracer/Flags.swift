// Flag and constant tables for the decoders (Linux x86_64 values).

struct FlagTable: Sendable {
    let bits: [(UInt64, String)]
    init(_ bits: [(UInt64, String)]) { self.bits = bits }

    /// Names of the set bits, most specific (widest mask) first; leftover bits in hex.
    func names(_ value: UInt64) -> [String] {
        var rest = value
        var out: [String] = []
        for (mask, name) in bits where mask != 0 && rest & mask == mask {
            out.append(name)
            rest &= ~mask
        }
        if rest != 0 { out.append("0x" + String(rest, radix: 16)) }
        return out
    }

    func value(_ raw: UInt64) -> ArgValue { .flags(raw, names: names(raw)) }
}

struct EnumTable: Sendable {
    let names: [Int64: String]
    init(_ pairs: [(Int64, String)]) {
        var m: [Int64: String] = [:]
        for (k, v) in pairs where m[k] == nil { m[k] = v }
        names = m
    }
    func name(_ v: Int64) -> String { names[v] ?? String(v) }
    func value(_ raw: UInt64) -> ArgValue { .flags(raw, names: [name(Int64(bitPattern: raw))]) }
}

enum Flags {
    static let openAccess = EnumTable([(0, "O_RDONLY"), (1, "O_WRONLY"), (2, "O_RDWR"), (3, "O_ACCMODE")])
    static let open = FlagTable([
        (0o20200000, "O_TMPFILE"), (0o4010000, "O_SYNC"), (0o100, "O_CREAT"), (0o200, "O_EXCL"),
        (0o400, "O_NOCTTY"), (0o1000, "O_TRUNC"), (0o2000, "O_APPEND"), (0o4000, "O_NONBLOCK"),
        (0o10000, "O_DSYNC"), (0o20000, "O_ASYNC"), (0o40000, "O_DIRECT"), (0o100000, "O_LARGEFILE"),
        (0o200000, "O_DIRECTORY"), (0o400000, "O_NOFOLLOW"), (0o1000000, "O_NOATIME"),
        (0o2000000, "O_CLOEXEC"), (0o10000000, "O_PATH"),
    ])

    static func openFlags(_ raw: UInt64) -> ArgValue {
        let names = [openAccess.name(Int64(raw & 3))] + open.names(raw & ~3)
        return .flags(raw, names: names)
    }

    static let clone = FlagTable([
        (0x100, "CLONE_VM"), (0x200, "CLONE_FS"), (0x400, "CLONE_FILES"), (0x800, "CLONE_SIGHAND"),
        (0x1000, "CLONE_PIDFD"), (0x2000, "CLONE_PTRACE"), (0x4000, "CLONE_VFORK"), (0x8000, "CLONE_PARENT"),
        (0x10000, "CLONE_THREAD"), (0x20000, "CLONE_NEWNS"), (0x40000, "CLONE_SYSVSEM"),
        (0x80000, "CLONE_SETTLS"), (0x100000, "CLONE_PARENT_SETTID"), (0x200000, "CLONE_CHILD_CLEARTID"),
        (0x400000, "CLONE_DETACHED"), (0x800000, "CLONE_UNTRACED"), (0x1000000, "CLONE_CHILD_SETTID"),
        (0x2000000, "CLONE_NEWCGROUP"), (0x4000000, "CLONE_NEWUTS"), (0x8000000, "CLONE_NEWIPC"),
        (0x10000000, "CLONE_NEWUSER"), (0x20000000, "CLONE_NEWPID"), (0x40000000, "CLONE_NEWNET"),
        (0x80000000, "CLONE_IO"), (0x80, "CLONE_NEWTIME"), (0x100000000, "CLONE_CLEAR_SIGHAND"),
        (0x200000000, "CLONE_INTO_CGROUP"),
    ])
    static let cloneUntraced: UInt64 = 0x800000
    static let cloneVM: UInt64 = 0x100
    static let cloneThread: UInt64 = 0x10000
    static let cloneFiles: UInt64 = 0x400
    static let cloneVfork: UInt64 = 0x4000

    static func cloneFlags(_ raw: UInt64) -> ArgValue {
        var names = clone.names(raw & ~0xff)
        let exitSignal = Int32(raw & 0xff)
        if exitSignal != 0 { names.append(Signals.name(exitSignal)) }
        return .flags(raw, names: names)
    }

    static let socketFamily = EnumTable([
        (0, "AF_UNSPEC"), (1, "AF_UNIX"), (2, "AF_INET"), (3, "AF_AX25"), (4, "AF_IPX"), (5, "AF_APPLETALK"),
        (9, "AF_X25"), (10, "AF_INET6"), (16, "AF_NETLINK"), (17, "AF_PACKET"), (38, "AF_ALG"),
        (40, "AF_VSOCK"), (44, "AF_XDP"), (31, "AF_BLUETOOTH"), (15, "AF_KEY"), (29, "AF_CAN"),
    ])
    static let socketTypeBase = EnumTable([
        (1, "SOCK_STREAM"), (2, "SOCK_DGRAM"), (3, "SOCK_RAW"), (4, "SOCK_RDM"), (5, "SOCK_SEQPACKET"),
        (6, "SOCK_DCCP"), (10, "SOCK_PACKET"),
    ])
    static func socketType(_ raw: UInt64) -> ArgValue {
        var names = [socketTypeBase.name(Int64(raw & 0xf))]
        names += FlagTable([(0o4000, "SOCK_NONBLOCK"), (0o2000000, "SOCK_CLOEXEC")]).names(raw & ~0xf)
        return .flags(raw, names: names)
    }
    static let ipProto = EnumTable([
        (0, "IPPROTO_IP"), (1, "IPPROTO_ICMP"), (6, "IPPROTO_TCP"), (17, "IPPROTO_UDP"),
        (41, "IPPROTO_IPV6"), (58, "IPPROTO_ICMPV6"), (132, "IPPROTO_SCTP"), (255, "IPPROTO_RAW"),
        (262, "IPPROTO_MPTCP"),
    ])

    static let msg = FlagTable([
        (0x1, "MSG_OOB"), (0x2, "MSG_PEEK"), (0x4, "MSG_DONTROUTE"), (0x8, "MSG_CTRUNC"), (0x10, "MSG_PROXY"),
        (0x20, "MSG_TRUNC"), (0x40, "MSG_DONTWAIT"), (0x80, "MSG_EOR"), (0x100, "MSG_WAITALL"),
        (0x200, "MSG_FIN"), (0x400, "MSG_SYN"), (0x800, "MSG_CONFIRM"), (0x1000, "MSG_RST"),
        (0x2000, "MSG_ERRQUEUE"), (0x4000, "MSG_NOSIGNAL"), (0x8000, "MSG_MORE"), (0x10000, "MSG_WAITFORONE"),
        (0x40000, "MSG_BATCH"), (0x4000000, "MSG_ZEROCOPY"), (0x20000000, "MSG_FASTOPEN"),
        (0x40000000, "MSG_CMSG_CLOEXEC"),
    ])
    static let msgFastOpen: UInt64 = 0x20000000

    static let at = FlagTable([
        (0x100, "AT_SYMLINK_NOFOLLOW"), (0x200, "AT_REMOVEDIR"), (0x400, "AT_SYMLINK_FOLLOW"),
        (0x800, "AT_NO_AUTOMOUNT"), (0x1000, "AT_EMPTY_PATH"),
    ])
    static let atEmptyPath: UInt64 = 0x1000
    static let atFdcwd: Int32 = -100

    static let rename = FlagTable([(1, "RENAME_NOREPLACE"), (2, "RENAME_EXCHANGE"), (4, "RENAME_WHITEOUT")])

    static let prot = FlagTable([
        (0x1, "PROT_READ"), (0x2, "PROT_WRITE"), (0x4, "PROT_EXEC"), (0x8, "PROT_SEM"),
        (0x01000000, "PROT_GROWSDOWN"), (0x02000000, "PROT_GROWSUP"),
    ])
    static let protExec: UInt64 = 0x4
    static func protValue(_ raw: UInt64) -> ArgValue {
        raw == 0 ? .flags(0, names: ["PROT_NONE"]) : prot.value(raw)
    }
    static let mapType = EnumTable([(1, "MAP_SHARED"), (2, "MAP_PRIVATE"), (3, "MAP_SHARED_VALIDATE")])
    static let map = FlagTable([
        (0x10, "MAP_FIXED"), (0x20, "MAP_ANONYMOUS"), (0x40, "MAP_32BIT"), (0x100, "MAP_GROWSDOWN"),
        (0x800, "MAP_DENYWRITE"), (0x1000, "MAP_EXECUTABLE"), (0x2000, "MAP_LOCKED"), (0x4000, "MAP_NORESERVE"),
        (0x8000, "MAP_POPULATE"), (0x10000, "MAP_NONBLOCK"), (0x20000, "MAP_STACK"), (0x40000, "MAP_HUGETLB"),
        (0x80000, "MAP_SYNC"), (0x100000, "MAP_FIXED_NOREPLACE"),
    ])
    static func mapFlags(_ raw: UInt64) -> ArgValue {
        .flags(raw, names: [mapType.name(Int64(raw & 3))] + map.names(raw & ~3))
    }

    static let fcntlCmd = EnumTable([
        (0, "F_DUPFD"), (1, "F_GETFD"), (2, "F_SETFD"), (3, "F_GETFL"), (4, "F_SETFL"), (5, "F_GETLK"),
        (6, "F_SETLK"), (7, "F_SETLKW"), (8, "F_SETOWN"), (9, "F_GETOWN"), (10, "F_SETSIG"), (11, "F_GETSIG"),
        (36, "F_OFD_GETLK"), (37, "F_OFD_SETLK"), (38, "F_OFD_SETLKW"), (1024, "F_SETLEASE"),
        (1025, "F_GETLEASE"), (1026, "F_NOTIFY"), (1030, "F_DUPFD_CLOEXEC"), (1031, "F_SETPIPE_SZ"),
        (1032, "F_GETPIPE_SZ"), (1033, "F_ADD_SEALS"), (1034, "F_GET_SEALS"),
    ])
    static let fcntlDupfd: UInt64 = 0
    static let fcntlDupfdCloexec: UInt64 = 1030

    static let ptraceRequest = EnumTable([
        (0, "PTRACE_TRACEME"), (1, "PTRACE_PEEKTEXT"), (2, "PTRACE_PEEKDATA"), (3, "PTRACE_PEEKUSER"),
        (4, "PTRACE_POKETEXT"), (5, "PTRACE_POKEDATA"), (6, "PTRACE_POKEUSER"), (7, "PTRACE_CONT"),
        (8, "PTRACE_KILL"), (9, "PTRACE_SINGLESTEP"), (12, "PTRACE_GETREGS"), (13, "PTRACE_SETREGS"),
        (14, "PTRACE_GETFPREGS"), (15, "PTRACE_SETFPREGS"), (16, "PTRACE_ATTACH"), (17, "PTRACE_DETACH"),
        (24, "PTRACE_SYSCALL"), (0x4200, "PTRACE_SETOPTIONS"), (0x4201, "PTRACE_GETEVENTMSG"),
        (0x4202, "PTRACE_GETSIGINFO"), (0x4203, "PTRACE_SETSIGINFO"), (0x4204, "PTRACE_GETREGSET"),
        (0x4205, "PTRACE_SETREGSET"), (0x4206, "PTRACE_SEIZE"), (0x4207, "PTRACE_INTERRUPT"),
        (0x4208, "PTRACE_LISTEN"), (0x4209, "PTRACE_PEEKSIGINFO"), (0x420e, "PTRACE_GET_SYSCALL_INFO"),
    ])

    static let prctlOption = EnumTable([
        (1, "PR_SET_PDEATHSIG"), (2, "PR_GET_PDEATHSIG"), (3, "PR_GET_DUMPABLE"), (4, "PR_SET_DUMPABLE"),
        (8, "PR_SET_KEEPCAPS"), (15, "PR_SET_NAME"), (16, "PR_GET_NAME"), (21, "PR_GET_SECCOMP"),
        (22, "PR_SET_SECCOMP"), (23, "PR_CAPBSET_READ"), (24, "PR_CAPBSET_DROP"), (35, "PR_SET_MM"),
        (36, "PR_SET_CHILD_SUBREAPER"), (37, "PR_GET_CHILD_SUBREAPER"), (38, "PR_SET_NO_NEW_PRIVS"),
        (39, "PR_GET_NO_NEW_PRIVS"), (47, "PR_CAP_AMBIENT"), (0x59616d61, "PR_SET_PTRACER"),
        (53, "PR_SET_VMA"), (59, "PR_SET_SYSCALL_USER_DISPATCH"),
    ])
    static let prSetSeccomp: UInt64 = 22
    static let prSetName: UInt64 = 15

    static let seccompOp = EnumTable([
        (0, "SECCOMP_SET_MODE_STRICT"), (1, "SECCOMP_SET_MODE_FILTER"), (2, "SECCOMP_GET_ACTION_AVAIL"),
        (3, "SECCOMP_GET_NOTIF_SIZES"),
    ])
    /// prctl(PR_SET_SECCOMP, mode): the mode, not a seccomp() operation.
    static let seccompMode = EnumTable([(0, "SECCOMP_MODE_DISABLED"), (1, "SECCOMP_MODE_STRICT"), (2, "SECCOMP_MODE_FILTER")])
    static let seccompFilterFlags = FlagTable([
        (1, "SECCOMP_FILTER_FLAG_TSYNC"), (2, "SECCOMP_FILTER_FLAG_LOG"), (4, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"),
        (8, "SECCOMP_FILTER_FLAG_NEW_LISTENER"), (16, "SECCOMP_FILTER_FLAG_TSYNC_ESRCH"),
        (32, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
    ])

    static let bpfCmd = EnumTable([
        (0, "BPF_MAP_CREATE"), (1, "BPF_MAP_LOOKUP_ELEM"), (2, "BPF_MAP_UPDATE_ELEM"), (3, "BPF_MAP_DELETE_ELEM"),
        (4, "BPF_MAP_GET_NEXT_KEY"), (5, "BPF_PROG_LOAD"), (6, "BPF_OBJ_PIN"), (7, "BPF_OBJ_GET"),
        (8, "BPF_PROG_ATTACH"), (9, "BPF_PROG_DETACH"), (10, "BPF_PROG_TEST_RUN"), (18, "BPF_BTF_LOAD"),
        (28, "BPF_LINK_CREATE"), (34, "BPF_ENABLE_STATS"), (36, "BPF_PROG_BIND_MAP"), (37, "BPF_TOKEN_CREATE"),
    ])

    static let memfd = FlagTable([
        (1, "MFD_CLOEXEC"), (2, "MFD_ALLOW_SEALING"), (4, "MFD_HUGETLB"), (8, "MFD_NOEXEC_SEAL"), (0x10, "MFD_EXEC"),
    ])

    static let moduleInit = FlagTable([(1, "MODULE_INIT_IGNORE_MODVERSIONS"), (2, "MODULE_INIT_IGNORE_VERMAGIC"),
                                       (4, "MODULE_INIT_COMPRESSED_FILE")])

    static let ioUringEnter = FlagTable([
        (1, "IORING_ENTER_GETEVENTS"), (2, "IORING_ENTER_SQ_WAKEUP"), (4, "IORING_ENTER_SQ_WAIT"),
        (8, "IORING_ENTER_EXT_ARG"), (16, "IORING_ENTER_REGISTERED_RING"),
    ])

    static let socketcall = EnumTable([
        (1, "socket"), (2, "bind"), (3, "connect"), (4, "listen"), (5, "accept"), (6, "getsockname"),
        (7, "getpeername"), (8, "socketpair"), (9, "send"), (10, "recv"), (11, "sendto"), (12, "recvfrom"),
        (13, "shutdown"), (14, "setsockopt"), (15, "getsockopt"), (16, "sendmsg"), (17, "recvmsg"),
        (18, "accept4"), (19, "recvmmsg"), (20, "sendmmsg"),
    ])
}

public enum Signals {
    static let names = ["", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
                        "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
                        "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
                        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"]

    public static func name(_ n: Int32) -> String {
        if n > 0 && Int(n) < names.count { return names[Int(n)] }
        if n >= 34 && n <= 64 { return n == 34 ? "SIGRTMIN" : "SIGRT_\(n - 34)" }
        return String(n)
    }

    public static func number(_ name: String) -> Int32? {
        let up = name.uppercased()
        let full = up.hasPrefix("SIG") ? up : "SIG" + up
        if let i = names.firstIndex(of: full) { return Int32(i) }
        return Int32(name)
    }

    static func value(_ raw: UInt64) -> ArgValue {
        .flags(raw, names: [name(Int32(truncatingIfNeeded: raw))])
    }
}
