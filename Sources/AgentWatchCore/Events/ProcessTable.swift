// Process state rebuilt from events alone, so the live tracer and a trace
// reader give the engine the same view of every process.

public final class ProcessRecord: @unchecked Sendable {
    public let pid: Int32
    public var ppid: Int32
    public var exe: String { didSet { cachedName = nil; cachedCmdline = nil; lookID = 0 } }
    public var argv: [String] { didSet { cachedCmdline = nil; lookID = 0 } }
    public var cwd: String { didSet { lookID = 0 } }
    public var comm: String { didSet { cachedName = nil; cachedCmdline = nil; lookID = 0 } }
    public var uid: UInt32 { didSet { lookID = 0 } }
    public var sid: Int32 { didSet { lookID = 0 } }
    /// Wall time of the spawn, ns since the epoch.
    public var started: UInt64
    public var ended: UInt64?
    public var exitCode: Int32?
    public var exitSignal: Int32?
    /// Fingerprints of the running image and, for a script, the script file.
    public var binary: BinaryInfo? { didSet { lookID = 0 } }
    public var script: BinaryInfo? { didSet { lookID = 0 } }
    /// Terminal, process group, capabilities, login uid (from the last spawn or exec).
    public var facts = ProcFacts() { didSet { lookID = 0 } }
    public var tty: Int32 { facts.tty }
    /// Set while a process runs an image it got from memfd_create.
    public var exeFromMemfd: Bool = false { didSet { lookID = 0 } }
    public var parent: ProcessRecord?
    /// Names `look` among the table's processes (see ProcessTable.lookID); 0 until asked, and after any change.
    var lookID = 0

    /// Everything about the process that a rule can read other than its ids
    /// and times: two processes with the same look get the same verdicts from
    /// rules that read no ids (the engine's verdict memo relies on this).
    var look: ProcessLook {
        ProcessLook(exe: exe, argv: argv, cwd: cwd, comm: comm, uid: uid, sid: sid, facts: facts, binary: binary,
                    script: script, exeFromMemfd: exeFromMemfd)
    }

    public init(pid: Int32, ppid: Int32, exe: String, argv: [String], cwd: String, comm: String,
                uid: UInt32, sid: Int32, started: UInt64) {
        self.pid = pid
        self.ppid = ppid
        self.exe = exe
        self.argv = argv
        self.cwd = cwd
        self.comm = comm
        self.uid = uid
        self.sid = sid
        self.started = started
    }

    /// Falco's proc.name: the executable's base name (comm is truncated to 15 bytes).
    public var name: String {
        if let cachedName { return cachedName }
        let n: String
        if let slash = exe.lastIndex(of: "/") { n = String(exe[exe.index(after: slash)...]) } else { n = exe.isEmpty ? comm : exe }
        cachedName = n
        return n
    }
    /// Rules ask for the name of the same process on every event.
    private var cachedName: String?

    public var cmdline: String {
        if let cachedCmdline { return cachedCmdline }
        let c = ([name] + argv.dropFirst()).joined(separator: " ")
        cachedCmdline = c
        return c
    }
    /// Rules on every write or connect read the line; joining argv each time showed in profiles.
    private var cachedCmdline: String?

    public var alive: Bool { ended == nil }

    /// Parent first, then grandparent, up to the root of the traced tree.
    public var ancestors: [ProcessRecord] {
        var out: [ProcessRecord] = []
        var cur = parent
        while let p = cur, out.count < 64 {
            out.append(p)
            cur = p.parent
        }
        return out
    }
}

public final class ProcessTable: @unchecked Sendable {
    public private(set) var byPid: [Int32: ProcessRecord] = [:]
    /// Thread id → process id for every live thread.
    public private(set) var tgidOf: [Int32: Int32] = [:]
    public private(set) var rootPid: Int32?
    /// Names the traced tree resolved through trusted resolvers (fd.sip.name).
    public let hostnames = HostnameTable()
    /// Looks seen so far, numbered; numbers are never reused (see lookID).
    private var looks: [ProcessLook: Int] = [:]
    private var nextLook = 1
    /// Looks hold argv and paths: as many as the ended processes kept (ReplayDriver.endedKept), so memory stays bounded.
    static let maxLooks = 4096

    private struct LineageStep: Hashable { let look: Int, above: Int }
    private var lineages: [LineageStep: Int] = [:]
    private var nextLineage = 1

    /// A number shared by every process that looks the same and whose
    /// ancestors, as EvalContext walks them (the parent by pointer or else by
    /// ppid, then parent pointers, 65 at most), look the same one by one.
    func lineageID(_ r: ProcessRecord) -> Int {
        lineageStep(lookID(r), above: chainID(r.parent ?? process(r.ppid), depth: 0))
    }

    private func chainID(_ p: ProcessRecord?, depth: Int) -> Int {
        guard let p, depth < 65 else { return 0 }
        return lineageStep(lookID(p), above: chainID(p.parent, depth: depth + 1))
    }

    private func lineageStep(_ look: Int, above: Int) -> Int {
        let step = LineageStep(look: look, above: above)
        if let known = lineages[step] { return known }
        if lineages.count >= Self.maxLooks { lineages.removeAll(keepingCapacity: true) }
        let id = nextLineage
        nextLineage += 1
        lineages[step] = id
        return id
    }

    /// A number shared by every process with the same look while it has that
    /// look; another number after any change. Numbers are never reused, so a
    /// stale one can only fail to match.
    func lookID(_ r: ProcessRecord) -> Int {
        if r.lookID != 0 { return r.lookID }
        let look = r.look
        if let known = looks[look] {
            r.lookID = known
            return known
        }
        if looks.count >= Self.maxLooks { looks.removeAll(keepingCapacity: true) }
        let id = nextLook
        nextLook += 1
        looks[look] = id
        r.lookID = id
        return id
    }
    private var dnsStreams = DNSStreamAssembler()

    public init() {}

    public func process(_ pid: Int32) -> ProcessRecord? {
        // A trace stays with one process for a while: the last answer is kept (every change to byPid drops it).
        if let (p, r) = lastLookup, p == pid { return r }
        let r = byPid[pid]
        lastLookup = (pid, r)
        return r
    }
    private var lastLookup: (Int32, ProcessRecord?)?

    public func processOfThread(_ tid: Int32) -> ProcessRecord? {
        if let pid = tgidOf[tid] { return byPid[pid] }
        return byPid[tid]
    }

    public var live: [ProcessRecord] { byPid.values.filter { $0.alive }.sorted { $0.pid < $1.pid } }

    /// Brings the table up to date with one event. Call before the engine sees it,
    /// so rules read the state the event produced (exec: the new program).
    public func apply(_ e: Event) {
        switch e.kind {
        case .spawn(let s):
            let parent = byPid[s.ppid]
            let rec = ProcessRecord(pid: e.pid, ppid: s.ppid, exe: s.exe, argv: s.argv, cwd: s.cwd,
                                    comm: s.comm, uid: s.uid, sid: parent?.sid ?? e.pid, started: e.wall)
            rec.parent = parent
            rec.binary = parent?.binary
            rec.script = parent?.script
            rec.facts = s.facts
            if s.facts.sid >= 0 { rec.sid = s.facts.sid }
            rec.exeFromMemfd = parent?.exeFromMemfd ?? false
            lastLookup = nil
            byPid[e.pid] = rec
            tgidOf[e.pid] = e.pid
            if s.via == "root" || rootPid == nil { rootPid = rootPid ?? e.pid }
        case .thread:
            tgidOf[e.tid] = e.pid
        case .exec(let x):
            if let old = x.formerTid, old != e.pid { tgidOf[old] = nil }
            let rec = byPid[e.pid] ?? ProcessRecord(pid: e.pid, ppid: 0, exe: x.exe, argv: x.argv, cwd: x.cwd,
                                                     comm: x.comm, uid: 0, sid: e.pid, started: e.wall)
            rec.exe = x.exe
            rec.argv = x.argv
            rec.cwd = x.cwd
            rec.comm = x.comm
            rec.facts = x.facts
            rec.binary = x.binary
            rec.script = x.script
            if x.facts.sid >= 0 { rec.sid = x.facts.sid }
            rec.exeFromMemfd = x.exe.hasPrefix("/memfd:")
            lastLookup = nil
            byPid[e.pid] = rec
            tgidOf[e.pid] = e.pid
        case .exit(let x):
            tgidOf[e.tid] = nil
            if x.processEnded, let rec = byPid[e.pid] {
                rec.ended = e.wall
                rec.exitCode = x.code
                rec.exitSignal = x.signal
                for (tid, pid) in tgidOf where pid == e.pid { tgidOf[tid] = nil }
            }
        case .signal:
            break
        case .syscall(let sc):
            applySyscall(e, sc)
        }
    }

    /// Syscalls whose arguments `apply` reads only while a DNS-over-TCP answer is half read.
    public static let streamEndingSyscalls: Set<String> = ["connect", "close"]

    /// Whether `apply` reads this event's arguments: a reader that kept them as
    /// text (Syscall.deferred) must decode them first.
    public func needsArguments(_ e: Event) -> Bool {
        guard case .syscall(let sc) = e.kind else { return false }
        return needsArguments(syscall: sc.name)
    }

    /// A DNS-over-TCP answer is half read: connect and close need their arguments.
    var dnsStreamsOpen: Bool { !dnsStreams.isEmpty }

    func needsArguments(syscall name: String) -> Bool {
        switch name {
        case "connect", "close": return !dnsStreams.isEmpty
        case "chdir", "fchdir", "setsid": return true
        default: return Self.isReceive(name)
        }
    }

    private func applySyscall(_ e: Event, _ sc: Syscall) {
        if sc.name == "connect" || sc.name == "close", case .fd(let fd, _)? = sc.arg("fd") {
            dnsStreams.reset(pid: e.pid, fd: fd)
        }
        let receive = Self.isReceive(sc.name)
        guard receive || sc.name == "chdir" || sc.name == "fchdir" || sc.name == "setsid" else { return }
        guard let rec = byPid[e.pid], let exit = sc.exit, !exit.failed, !sc.denied else { return }
        if receive { learnHostnames(e.pid, sc, exit) }
        switch sc.name {
        case "chdir", "fchdir":
            if case .path(let p, _)? = sc.arg("path") { rec.cwd = p }
            else if case .fd(_, let info?)? = sc.arg("fd") { rec.cwd = info.name }
        case "setsid":
            rec.sid = e.pid
        case "setuid", "setresuid", "setreuid":
            break
        default:
            break
        }
    }

    static let receives: Set<String> = ["recvfrom", "recvmsg", "read", "readv", "recv"]

    /// `receives.contains`, without hashing the name on every syscall.
    static func isReceive(_ name: String) -> Bool {
        switch name {
        case "recvfrom", "recvmsg", "read", "readv", "recv": return true
        default: return false
        }
    }

    /// Syscalls whose arguments change the table (`applySyscall`): a reader
    /// that skips decoding must never skip these.
    public static let stateSyscalls: Set<String> = receives.union(["chdir", "fchdir", "setsid", "connect", "close"])

    /// A DNS response from a trusted resolver teaches which names the tree looked up.
    private func learnHostnames(_ pid: Int32, _ sc: Syscall, _ exit: SyscallExit) {
        var data: [UInt8]?
        var from: SockAddr?
        for a in exit.out + sc.args {
            if a.name == "data", case .bytes(let b, _) = a.value { data = b }
            if a.name == "addr", case .sockaddr(let s) = a.value { from = s }
        }
        var stream: Int32?
        if case .fd(let fd, let info?)? = sc.arg("fd") {
            if from == nil { from = info.remote }
            if info.proto == "tcp" { stream = fd }
        }
        guard let data, let from, hostnames.isTrusted(from) else { return }
        let messages = stream.map { dnsStreams.append(data, pid: pid, fd: $0) } ?? [data]
        for m in messages {
            if let answer = DNSMessage.answer(m) { hostnames.record(answer) }
        }
    }

    /// Forgets processes that ended, keeping memory constant on long traces.
    public func reap(_ pid: Int32) {
        lastLookup = nil
        byPid[pid] = nil
        dnsStreams.forget(pid: pid)
    }
}

/// See ProcessRecord.look.
struct ProcessLook: Hashable {
    let exe: String
    let argv: [String]
    let cwd: String
    let comm: String
    let uid: UInt32
    let sid: Int32
    let facts: ProcFacts
    let binary: BinaryInfo?
    let script: BinaryInfo?
    let exeFromMemfd: Bool

    /// A few fields that tell most looks apart; equality still compares them all.
    /// Every spawn and exec hashes one, and fingerprints are long.
    func hash(into h: inout Hasher) {
        h.combine(exe)
        h.combine(argv.count)
        h.combine(argv.last)
        h.combine(cwd)
        h.combine(facts.pgid)
        h.combine(binary?.sha256)
    }
}
