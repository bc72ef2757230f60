// Per-event view the field extractors read. Built once per event and shared
// by every rule, so derived data (the fd, the process) is computed lazily once.

public enum EventPhase: String, Sendable {
    case entry = ">"
    case exit = "<"
}

/// What a process looks like to the rule. At execve entry this is the image
/// about to run (path and argv from the arguments), so Falco's spawned_process
/// rules can deny before the exec happens.
struct ProcView {
    var record: ProcessRecord?
    var pid: Int32
    var exe: String
    var argv: [String]
    var name: String
    var exeFromMemfd: Bool
    var parent: ProcessRecord?
}

/// The file descriptor an event is about, whichever argument carries it.
struct FdView {
    var num: Int64?
    var kind: FdInfo.Kind?
    var name: String?
    var nameRaw: String?
    var local: SockAddr?
    var remote: SockAddr?
    var proto: String?
    /// True when our side is the server (an accepted connection).
    var localIsServer = false
}

public final class EvalContext {
    public let event: Event
    public let processes: ProcessTable
    public let phase: EventPhase
    /// The syscall, or one synthesised for an exec event.
    public let syscall: Syscall?
    public let syscallName: String
    /// Values captured by earlier sequence steps, [step-1][slot].
    var captures: [[FieldValue?]] = []

    init(event: Event, processes: ProcessTable, phase: EventPhase, syscall: Syscall?, name: String) {
        self.event = event
        self.processes = processes
        self.phase = phase
        self.syscall = syscall
        self.syscallName = name
    }

    public var exit: SyscallExit? { phase == .exit ? syscall?.exit : nil }

    lazy var record: ProcessRecord? = processes.process(event.pid) ?? processes.processOfThread(event.tid)

    lazy var proc: ProcView? = makeProc()

    lazy var fd: FdView? = makeFd()

    // Values several rules of a pack test on the same event; computed once.
    lazy var openMode: UInt64? = FieldTable.openMode(self)
    lazy var fileName: String? = FieldTable.fileName(self)
    lazy var fdDirectory: String?? = fileName.map { n in
        guard let slash = n.lastIndex(of: "/") else { return nil }
        return slash == n.startIndex ? "/" : String(n[..<slash])
    }
    lazy var fdFilename: String? = fileName.map { n in PathText.lastComponent(n) ?? n }

    /// The engine's memo of descriptor-keyed subtrees (see RuleSpecializer).
    var fdMemo: FdMemo?
    /// The engine's per-event field values (see FieldValueCache).
    var fieldCache: FieldValueCache?
    private lazy var fdMemoRow: FdMemo.Row? = fdMemo.map { $0.row(FdMemo.Key(kind: fd?.kind, name: fd?.name)) }

    /// `inner`'s result for this descriptor, computed once per kind and name.
    func fdMemoized(_ slot: Int, _ inner: Predicate) -> Bool {
        guard let row = fdMemoRow else { return inner(self) }
        if slot < row.states.count {
            let state = row.states[slot]
            if state != 0 { return state == 2 }
        } else {
            row.states.append(contentsOf: repeatElement(0, count: slot + 1 - row.states.count))
        }
        let v = inner(self)
        row.states[slot] = v ? 2 : 1
        return v
    }

    // Derived strings many rules test; built once per event.
    lazy var cmdline: String? = proc.map { p in
        // Unless execve's entry shows the image about to run, the view is the record's: its line is kept there.
        if let r = p.record, p.exe == r.exe, p.name == r.name, p.argv == r.argv { return r.cmdline }
        return ([p.name] + p.argv.dropFirst()).joined(separator: " ")
    }
    lazy var args: String? = proc.map { $0.argv.dropFirst().joined(separator: " ") }
    lazy var ancestors: [ProcessRecord] = {
        guard let p = proc?.parent else { return [] }
        return [p] + p.ancestors
    }()

    /// An argument by name, looking in the written-back values too, then
    /// under the name Falco's event tables use for it.
    func arg(_ name: String) -> ArgValue? {
        guard let sc = syscall else { return nil }
        if let v = sc.arg(name) { return v }
        if let out = exit?.out { for a in out where a.name == name { return a.value } }
        for alias in ArgAliases.map[name] ?? [] {
            if let v = sc.arg(alias) { return v }
        }
        return nil
    }

    private func makeProc() -> ProcView? {
        let rec = record
        var v: ProcView
        if let r = rec {
            v = ProcView(record: r, pid: r.pid, exe: r.exe, argv: r.argv, name: r.name,
                         exeFromMemfd: r.exeFromMemfd, parent: r.parent ?? processes.process(r.ppid))
        } else {
            return nil
        }
        if phase == .entry, syscallName == "execve" || syscallName == "execveat", let sc = syscall {
            if case .path(let p, _)? = sc.arg("pathname") ?? sc.arg("filename") ?? sc.arg("path") {
                v.exe = p
                v.name = PathText.lastComponent(p) ?? p
                v.exeFromMemfd = p.hasPrefix("/memfd:")
            } else if case .fd(_, let info?)? = sc.arg("dirfd") ?? sc.arg("fd") {
                v.exe = info.name
                v.exeFromMemfd = info.kind == .memfd || info.name.hasPrefix("/memfd:")
                v.name = PathText.lastComponent(info.name) ?? info.name
            }
            if case .strings(let a, _)? = sc.arg("argv") { v.argv = a }
        }
        return v
    }

    private func makeFd() -> FdView? {
        guard let sc = syscall else { return nil }
        let ex = exit
        // A descriptor the kernel handed back (openat, accept, socket).
        if let out = ex?.out {
            for a in out {
                if case .fd(let n, let info) = a.value { return view(n, info, sc) }
            }
        }
        if FdSyscalls.isCreating(syscallName) {
            var v = FdView()
            if let pathArg = arg("pathname") ?? arg("filename") ?? arg("path") ?? arg("name"), case .path(let p, let raw) = pathArg {
                v.name = p
                v.nameRaw = raw
                v.kind = FdSyscalls.opensDirectory(arg("flags")) ? .directory : .file
            }
            if let e = ex {
                v.num = e.failed ? -1 : e.ret
            }
            if syscallName == "socket" || syscallName == "socketpair" {
                v.kind = nil
                if case .flags(let raw, _)? = arg("domain") {
                    switch raw {
                    case 2: v.kind = .ipv4
                    case 10: v.kind = .ipv6
                    case 1: v.kind = .unix
                    case 16: v.kind = .netlink
                    default: v.kind = .socket
                    }
                }
            }
            if syscallName == "memfd_create" { v.kind = .memfd }
            return v
        }
        for name in ["fd", "sockfd", "oldfd", "dirfd", "olddirfd"] {
            if case .fd(let n, let info)? = sc.arg(name) { return view(n, info, sc) }
        }
        for a in sc.args {
            if case .fd(let n, let info) = a.value { return view(n, info, sc) }
        }
        return nil
    }

    private func view(_ n: Int32, _ info: FdInfo?, _ sc: Syscall) -> FdView {
        var v = FdView()
        v.num = Int64(n)
        v.kind = info?.kind
        v.name = info?.name
        v.local = info?.local
        v.remote = info?.remote
        v.proto = info?.proto
        // The kernel's name is resolved; the raw name is what the program passed.
        if let pathArg = sc.arg("pathname") ?? sc.arg("filename") ?? sc.arg("path"), case .path(let p, let raw) = pathArg {
            v.nameRaw = raw
            if v.name == nil { v.name = p }
        } else {
            v.nameRaw = v.name
        }
        // The address being connected/sent to is the peer, whatever the fd knew before.
        let sendsTo = FdSyscalls.namesPeer(syscallName)
        for a in sc.args where sendsTo {
            if case .sockaddr(let s) = a.value {
                v.remote = s
                if v.kind == nil || v.kind == .socket {
                    switch s.family {
                    case .inet: v.kind = .ipv4
                    case .inet6: v.kind = .ipv6
                    case .unix: v.kind = .unix
                    case .netlink: v.kind = .netlink
                    default: break
                    }
                }
            }
        }
        if syscallName == "accept" || syscallName == "accept4" {
            v.localIsServer = true
            if let out = exit?.out {
                for a in out { if case .sockaddr(let s) = a.value { v.remote = s } }
            }
        }
        if v.kind == .ipv4 || v.kind == .ipv6 {
            if let memo = fdMemo {
                let (c, s) = v.localIsServer ? (v.remote, v.local) : (v.local, v.remote)
                let current = v
                v.name = memo.socketNames.name(client: c, server: s) { FdNames.socketName(current) }
            } else {
                v.name = FdNames.socketName(v)
            }
        } else if v.kind == .unix, let r = v.remote, v.name == nil || v.name == "" {
            v.name = r.address
        }
        if v.nameRaw == nil { v.nameRaw = v.name }
        return v
    }
}

enum FdNames {
    /// Falco's "cip:cport->sip:sport".
    static func socketName(_ v: FdView) -> String? {
        let (c, s) = v.localIsServer ? (v.remote, v.local) : (v.local, v.remote)
        guard c != nil || s != nil else { return nil }
        func t(_ a: SockAddr?) -> String { a.map { "\($0.address):\($0.port)" } ?? "" }
        return "\(t(c))->\(t(s))"
    }
}

enum FdSyscalls {
    /// Syscalls whose fd is their result: fd.num is only known at exit.
    static let creating: Set<String> = [
        "open", "openat", "openat2", "creat", "open_by_handle_at", "socket", "socketpair",
        "memfd_create", "eventfd", "eventfd2", "signalfd", "signalfd4", "timerfd_create",
        "epoll_create", "epoll_create1", "inotify_init", "inotify_init1", "pidfd_open",
        "userfaultfd", "io_uring_setup", "perf_event_open", "bpf", "fanotify_init",
        "pipe", "pipe2",
    ]
    static let opens: Set<String> = ["open", "openat", "openat2", "creat", "open_by_handle_at"]

    // Per-event forms of the sets above: names compared, not hashed (tests keep them in step).
    static func isCreating(_ name: String) -> Bool {
        switch name {
        case "open", "openat", "openat2", "creat", "open_by_handle_at", "socket", "socketpair",
             "memfd_create", "eventfd", "eventfd2", "signalfd", "signalfd4", "timerfd_create",
             "epoll_create", "epoll_create1", "inotify_init", "inotify_init1", "pidfd_open",
             "userfaultfd", "io_uring_setup", "perf_event_open", "bpf", "fanotify_init",
             "pipe", "pipe2":
            return true
        default:
            return false
        }
    }

    static func isOpen(_ name: String) -> Bool {
        switch name {
        case "open", "openat", "openat2", "creat", "open_by_handle_at": return true
        default: return false
        }
    }

    /// Syscalls whose address argument is the peer, whatever the fd knew before.
    static func namesPeer(_ name: String) -> Bool {
        switch name {
        case "connect", "sendto", "sendmsg", "sendmmsg": return true
        default: return false
        }
    }

    /// O_DIRECTORY without O_TMPFILE (which carries the O_DIRECTORY bit): the
    /// descriptor, if the open succeeds, can only be a directory.
    static func opensDirectory(_ flags: ArgValue?) -> Bool {
        guard case .flags(let raw, _)? = flags else { return false }
        return raw & oDirectory != 0 && raw & oTmpfileOnly == 0
    }
    static let oDirectory: UInt64 = 0o200000
    static let oTmpfileOnly: UInt64 = 0o20000000
}

/// Falco names some parameters differently from the man pages our decoders follow.
enum ArgAliases {
    static let map: [String: [String]] = [
        "name": ["pathname", "path", "filename"],
        "path": ["pathname", "filename"],
        "filename": ["pathname", "path"],
        "pathname": ["path", "filename"],
        "fd": ["sockfd", "oldfd"],
        "addr": ["sockaddr", "dest_addr"],
        "tuple": ["addr", "dest_addr"],
        "proto": ["protocol"],
        "uid": ["ruid", "euid"],
        "size": ["count", "len"],
        "data": ["buf"],
    ]
}
