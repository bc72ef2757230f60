import CPtrace
import Glibc

public struct TraceOptions: Sendable {
    /// Syscall names that stop at entry (besides those the tracer always needs).
    public var traced: Set<String>
    /// Stop at every syscall.
    public var allSyscalls = false
    /// Syscalls whose result is needed (exit stop); `recordResults` means all.
    public var exitNeeded: Set<String> = []
    /// The trace or the printer wants every result.
    public var recordResults = false
    /// Stop on open/openat of a directory; false when no rule could match one.
    public var directoryOpens = true
    /// Stop on write/writev to descriptors 0–2; false when no rule could match a
    /// write that sends nothing on a socket (StdioGuard keeps sockets off them).
    public var stdioWrites = true
    /// Follow DNS over TCP to trusted resolvers (hostname rules are loaded).
    public var followDNS = false
    /// Bytes kept from buffers sent on sockets.
    public var payloadLimit = 512
    /// What happens to processes still alive when the root command exits.
    public var survivors: SurvivorPolicy = .kill
    /// Capture the user-space stack at every traced event (slow).
    public var stackForEveryEvent = false
    /// SHA-256 of every executable at exec (for rules on proc.exe.sha256 and for traces).
    public var hashExecutables = true
    /// A clone (x86_64) stops only when its flags hold one of these, or what the
    /// tracer itself must see (SeccompProgram.build); nil: every clone stops.
    public var cloneStopFlags: UInt64?
    /// The /proc facts read at each spawn and exec besides stat (see ProcFactNeeds).
    public var procFacts: ProcFactNeeds = .all
    /// A task that keeps stopping alone shares the tracer's CPU (CoLocation);
    /// AGENTWATCH_COLOCATE=0 turns it off, to compare.
    public var coLocate = getenv("AGENTWATCH_COLOCATE").map { String(cString: $0) != "0" } ?? true

    public init(traced: Set<String>) { self.traced = traced }

    /// Every syscall agentwatch decodes in full.
    public static var decodedSyscalls: Set<String> { DecoderRegistry.decodedNames }
}

public enum SurvivorPolicy: String, Sendable {
    /// Report them and SIGKILL them: nothing outlives the agent.
    case kill
    /// Keep tracing until they exit on their own.
    case wait
}

public enum SpawnError: Error, Equatable, CustomStringConvertible {
    case notFound(String)
    case notExecutable(String)
    case failed(step: String, errno: Int32)

    public var description: String {
        switch self {
        case .notFound(let c): return "\(c): command not found"
        case .notExecutable(let c): return "\(c): permission denied (not executable)"
        case .failed(let step, let e): return "cannot start the command (\(step)): \(String(cString: strerror(e)))"
        }
    }

    /// The shell's convention: 127 not found, 126 found but not runnable.
    public var exitCode: Int32 {
        switch self {
        case .notFound: return 127
        case .notExecutable: return 126
        case .failed: return 126
        }
    }
}

/// How the traced tree ended.
public struct TraceOutcome: Sendable {
    public var rootExitCode: Int32?
    public var rootSignal: Int32?
    /// Processes still alive when the root exited.
    public var survivors: [Int32]
    /// The tracer killed the tree because of a verdict.
    public var killedByVerdict: Bool

    /// The shell's convention: the code, or 128+N for death by signal N.
    public var exitStatus: Int32 {
        if let c = rootExitCode { return c }
        if let s = rootSignal { return 128 + s }
        return 1
    }
}

/// Runs one command under ptrace and turns its stops into events. All ptrace
/// requests come from the thread that calls `run()`.
public final class TraceSession: StackSource {
    let options: TraceOptions
    let sink: EventSink
    public let processes = ProcessTable()

    var tasks: [Int32: TaskState] = [:]
    /// Live threads per process: more than one means arguments can be raced.
    var threadsOf: [Int32: Int] = [:]
    /// Processes whose memory another process can write (shared writable
    /// mappings, shmat, clone with CLONE_VM): their arguments can be raced too.
    var sharedMemory: Set<Int32> = []
    var seq: UInt64 = 0
    let startMono: UInt64
    var rootPid: Int32 = 0
    var outcome = TraceOutcome(rootExitCode: nil, rootSignal: nil, survivors: [], killedByVerdict: false)
    var rootEnded = false
    var rootExeced = false
    /// Events made final during a stop; handed to the sink after the tracee resumed.
    var finished: [Event] = []
    let tracedNumbers: Set<Int>
    let fingerprints: Fingerprinter
    let stacks = Stacks()
    let coLocation: CoLocation
    var stdioGuard = StdioGuard(active: false, sockets: TreeSockets(ownStdio: []))
    /// Stops collected while the other tasks were held (StdioGuard), handled next, in order.
    var deferredWaits: [cp_wait_result] = []
    static let remapping: Set<String> = ["mmap", "munmap", "mprotect", "mremap", "mmap2"]

    /// The stack of a task stopped right now (the engine asks while it decides).
    public func stack(pid: Int32, tid: Int32) -> [StackFrame] {
        // Before its first exec the root is agentwatch's own forked child: its stack is ours.
        guard tasks[tid] != nil, pid != rootPid || rootExeced else { return [] }
        return stacks.capture(pid: pid, tid: tid)
    }

    static let alwaysTraced = Set(["execve", "execveat", "clone", "clone3"]).union(WorkingDirectory.changers)

    public init(options: TraceOptions, sink: EventSink) {
        self.options = options
        self.sink = sink
        self.startMono = TraceClock.mono()
        self.fingerprints = Fingerprinter(hash: options.hashExecutables)
        var nrs = Set<Int>()
        for name in options.traced.union(Self.alwaysTraced).union(options.coLocate ? CoLocation.affinityCalls : []) {
            if let n = SyscallTable.x86_64Number(name) { nrs.insert(n) }
        }
        tracedNumbers = nrs
        coLocation = CoLocation(enabled: options.coLocate)
    }

    // MARK: spawning

    /// Finds `command` the way execvp would.
    public static func resolve(_ command: String, path: String?) -> Result<String, SpawnError> {
        func check(_ p: String) -> SpawnError? {
            var st = stat()
            if stat(p, &st) != 0 { return .notFound(command) }
            if (st.st_mode & S_IFMT) == S_IFDIR { return .notExecutable(command) }
            if access(p, X_OK) != 0 { return .notExecutable(command) }
            return nil
        }
        if command.contains("/") {
            if let e = check(command) { return .failure(e) }
            return .success(command)
        }
        var firstDenied: String?
        for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + command
            switch check(candidate) {
            case nil: return .success(candidate)
            case .notExecutable?: firstDenied = firstDenied ?? candidate
            default: continue
            }
        }
        return .failure(firstDenied != nil ? .notExecutable(command) : .notFound(command))
    }

    /// Starts `argv` (argv[0] resolved through PATH) and traces it to the end.
    public func run(argv: [String], environment: [String]) throws(SpawnError) -> TraceOutcome {
        guard let command = argv.first else { throw SpawnError.notFound("") }
        let path: String
        switch Self.resolve(command, path: environment.first { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }) {
        case .success(let p): path = p
        case .failure(let e): throw e
        }
        cp_signals_prepare()
        let ownStdio = TreeSockets.ownStdioSockets()
        let treeSockets = TreeSockets(ownStdio: ownStdio ?? [])
        treeSockets.isTraced = { [unowned self] pid in self.threadsOf[pid] != nil }
        stdioGuard = StdioGuard(active: StdioGuard.applies(options, tracedNumbers: tracedNumbers, ownStdio: ownStdio),
                                sockets: treeSockets)
        let program = SeccompProgram.build(numbers: tracedNumbers, all: options.allSyscalls,
                                           directoryOpens: options.directoryOpens, cloneStopFlags: options.cloneStopFlags,
                                           stdioExempt: stdioGuard.active)
        let opts: UInt = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x80 | 0x100000  // SYSGOOD FORK VFORK CLONE EXEC SECCOMP EXITKILL
        let result: cp_spawn_result = withCStrings(argv) { cargv in
            withCStrings(environment) { cenv in
                program.withUnsafeBufferPointer { prog in
                    cp_spawn(path, cargv, cenv, prog.baseAddress, UInt16(prog.count), opts)
                }
            }
        }
        if result.pid <= 0 {
            throw SpawnError.failed(step: String(cString: result.step), errno: result.err)
        }
        rootPid = result.pid
        cp_signals_set_root(rootPid)
        defer { close(result.exec_err_fd) }

        let cwd = FdResolver.readlink("/proc/self/cwd") ?? "/"
        let exe = path.hasPrefix("/") ? path : PathText.normalize(cwd + "/" + path)
        let comm = String(path.split(separator: "/").last ?? Substring(path))
        let task = TaskState(tid: rootPid, pid: rootPid)
        tasks[rootPid] = task
        threadsOf[rootPid] = 1
        emit(pid: rootPid, tid: rootPid, .spawn(Spawn(ppid: getpid(), via: "root", exe: exe, argv: argv,
                                                      cwd: cwd, uid: getuid(), comm: String(comm.prefix(15)),
                                                      facts: ProcStatus.facts(rootPid))))
        flushFinished()
        loop()
        if outcome.rootExitCode == 126 || outcome.rootExitCode == 127 {
            var err: Int32 = 0
            if read(result.exec_err_fd, &err, 4) == 4 {
                throw err == ENOENT ? SpawnError.notFound(command) : SpawnError.notExecutable(command)
            }
        }
        return outcome
    }

    // MARK: the loop

    func loop() {
        while true {
            let w = deferredWaits.isEmpty ? cp_wait(-1, 0) : deferredWaits.removeFirst()
            if w.pid < 0 {
                if w.err == ECHILD { break }
                continue
            }
            handle(w)
            flushFinished()
            if rootEnded && tasks.isEmpty && deferredWaits.isEmpty { break }
        }
        // Tasks we never saw exit (reaped elsewhere) still get their pending work recorded.
        for t in tasks.values { finishUnfinished(t) }
        flushFinished()
        printStats()
    }

    /// Stops by kind and syscall, printed at the end when AGENTWATCH_STATS is set.
    var stats: [String: Int] = [:]
    let keepStats = getenv("AGENTWATCH_STATS") != nil

    func count(_ key: String) { if keepStats { stats[key, default: 0] += 1 } }

    func printStats() {
        guard keepStats else { return }
        let total = stats.filter { $0.key.hasPrefix("stop:") }.values.reduce(0, +)
        sink.notice("stats: \(total) stops")
        if coLocation.pins > 0 { sink.notice("stats: \(coLocation.pins) colocate:pins") }
        sink.notice("stats: stdio writes " + (stdioGuard.active ? "unstopped, \(stdioGuard.installs) stdio:filter installs" : "stopped"))
        for (k, v) in stats.sorted(by: { $0.value > $1.value }).prefix(30) { sink.notice("stats: \(v) \(k)") }
    }

    func handle(_ w: cp_wait_result) {
        let tid = w.pid
        if keepStats {
            if w.stopped != 0 { count("stop:event\(w.event)" + (w.event == 0 ? ":sig\(w.stop_sig)" : "")) }
        }
        if w.exited != 0 || w.signaled != 0 {
            taskEnded(tid, code: w.exited != 0 ? w.exit_code : nil, signal: w.signaled != 0 ? w.term_sig : nil,
                      core: w.core != 0)
            return
        }
        guard w.stopped != 0 else { return }
        let task = known(tid, creator: nil, via: nil)
        coLocation.stopped(task)
        defer { coLocation.settled(task) }
        switch w.event {
        case 7: // PTRACE_EVENT_SECCOMP
            syscallEntry(task)
        case 4: // PTRACE_EVENT_EXEC
            execed(task)
        case 1, 2, 3: // FORK, VFORK, CLONE
            var msg: UInt = 0
            cp_geteventmsg(tid, &msg)
            let child = Int32(truncatingIfNeeded: msg)
            task.lastChild = child
            let childTask = known(child, creator: task, via: w.event == 1 ? "fork" : w.event == 2 ? "vfork" : "clone")
            coLocation.created(child, by: task)
            stdioGuard.created(childTask.pid, by: task.pid)
            if stdioGuard.sharesTableUnfiltered(child: childTask.pid, creator: task.pid) {
                // The clone's flags changed after the tracer read them (clone3 takes them from memory).
                sink.notice("pid \(task.pid) made process \(childTask.pid) sharing its descriptor table without the tracer seeing CLONE_FILES; both killed")
                cp_kill(childTask.pid, SIGKILL)
                kill(process: task.pid)
                return
            }
            if !childTask.workingDirectory.keeps {
                childTask.workingDirectory = task.workingDirectory.forChild(creator: task.tid, child: child)
            }
            // A vfork child runs on its parent's memory until it execs, while the
            // parent's other threads (or other sharers of its pages) keep writing there.
            let borrowsSharedMemory = w.event == 2 && sharesMemory(task.pid)
            if childTask.pid != task.pid, sharedMemory.contains(task.pid) || task.cloneSharesVM || borrowsSharedMemory {
                sharedMemory.insert(childTask.pid)
                sharedMemory.insert(task.pid)
            }
            task.cloneSharesVM = false
            resume(task)
        case 128: // PTRACE_EVENT_STOP
            let sig = w.stop_sig
            if sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU {
                cp_listen(tid)  // group-stop: stay stopped, wake on SIGCONT
            } else {
                resume(task)
            }
        case 0:
            if w.stop_sig == (SIGTRAP | 0x80) {
                syscallStop(task)
            } else {
                signalDelivery(task, w.stop_sig)
            }
        default:
            resume(task)
        }
    }

    func resume(_ task: TaskState, signal: Int32 = 0) {
        if task.awaitingExit || !task.dnsStreams.isEmpty || task.stdioSteps > 0 {
            cp_syscall(task.tid, signal)
        } else {
            cp_cont(task.tid, signal)
        }
    }

    // MARK: tasks

    /// The task for `tid`, announcing it (spawn or thread event) at first sight.
    @discardableResult
    func known(_ tid: Int32, creator: TaskState?, via: String?) -> TaskState {
        if let t = tasks[tid] { return t }
        let needs = options.procFacts
        // tgkill with signal 0 finds a tid only inside the given thread group: a
        // child of a known creator is its thread exactly when CLONE_THREAD put it
        // there. Without a creator (the child stopped before its parent's event)
        // status says.
        var status: ProcStatus?
        let pid: Int32
        if let creator {
            let inGroup = cp_tgkill(creator.pid, tid, 0) == 0 || errno == EPERM
            pid = inGroup ? creator.pid : tid
        } else {
            if keepStats { count("task:seen before its creator's event") }
            status = ProcStatus.read(tid)
            pid = status?.tgid ?? tid
            coLocation.appeared(tid, process: pid, parent: status?.ppid ?? 0)
        }
        let task = TaskState(tid: tid, pid: pid)
        // Tied to its creator's entry by the creator's fork event.
        task.workingDirectory = WorkingDirectory(keeps: false)
        tasks[tid] = task
        threadsOf[pid, default: 0] += 1
        if pid != tid {
            emit(pid: pid, tid: tid, .thread(ThreadStart(creator: creator?.tid ?? pid)))
        } else {
            if status == nil, needs.contains(.credentials) { status = ProcStatus.read(tid) }
            let stat = creator.flatMap { forkedStat(tid, creator: $0) } ?? ProcStat.read(tid)
            let ppid = stat?.ppid ?? status?.ppid ?? creator?.pid ?? 0
            let parent = processes.process(ppid) ?? creator.flatMap { processes.process($0.pid) }
            emit(pid: pid, tid: tid, .spawn(Spawn(
                ppid: ppid, via: via ?? "fork", exe: parent?.exe ?? "", argv: parent?.argv ?? [],
                cwd: parent?.cwd ?? "", uid: status?.uid ?? parent?.uid ?? 0, comm: parent?.comm ?? "",
                facts: ProcStatus.facts(tid, needs: needs, stat: stat, status: status, base: parent?.facts ?? ProcFacts()))))
        }
        if rootEnded && options.survivors == .kill {
            // Forked while the survivors were being killed: it goes too.
            sink.notice("process \(pid) appeared after the command exited; killed")
            cp_kill(pid, SIGKILL)
        }
        return task
    }

    /// What /proc/PID/stat says of a process just forked, without opening it
    /// (a sixth of the tracer's CPU on a fork and exec): the parent is the creator, as
    /// its registers show it asked; group and session come from getpgid and
    /// getsid, which read the kernel's own, as the file would. Nil when the
    /// file is needed: CLONE_PARENT or an undecidable call, or a rule reading
    /// the terminal. The child has not run yet; its name is its creator's.
    func forkedStat(_ child: Int32, creator: TaskState) -> ProcStat? {
        guard !options.procFacts.contains(.terminal), cp_creator_is_parent(creator.tid) == 1 else { return nil }
        let pgid = getpgid(child), sid = getsid(child)
        guard pgid >= 0, sid >= 0 else { return nil }
        let parent = processes.process(creator.pid)
        return ProcStat(comm: parent?.comm ?? "", ppid: creator.pid, pgid: pgid, sid: sid, tty: parent?.tty ?? 0)
    }

    func taskEnded(_ tid: Int32, code: Int32?, signal: Int32?, core: Bool) {
        guard let task = tasks.removeValue(forKey: tid) else { return }
        coLocation.ended(task)
        forgetThread(of: task.pid)
        if threadsOf[task.pid] == nil {
            sharedMemory.remove(task.pid)
            stdioGuard.ended(task.pid)
        }
        finishUnfinished(task)
        if tid == task.pid {
            stacks.forget(pid: task.pid)
            cp_forget_process(task.pid)
        }
        let leader = tid == task.pid
        emit(pid: task.pid, tid: tid, .exit(Exit(code: code, signal: signal, core: core, processEnded: leader)))
        if leader && tid == rootPid {
            outcome.rootExitCode = code
            outcome.rootSignal = signal
            rootEnded = true
            rootExited()
        }
    }

    /// The root command is gone: whatever is still alive outlived the agent.
    func rootExited() {
        let alive = Set(tasks.values.map(\.pid)).sorted()
        outcome.survivors = alive
        guard !alive.isEmpty else { return }
        if outcome.killedByVerdict {
            // The tree is already being killed for a violation.
            for pid in alive { cp_kill(pid, SIGKILL) }
            return
        }
        for pid in alive {
            let p = processes.process(pid)
            let what = p.map { "\($0.exe) \($0.argv.dropFirst().joined(separator: " "))" } ?? "?"
            switch options.survivors {
            case .kill:
                sink.notice("process \(pid) (\(what)) outlived the command; killed")
                cp_kill(pid, SIGKILL)
            case .wait:
                sink.notice("process \(pid) (\(what)) outlived the command; waiting for it")
            }
        }
    }

    func finishUnfinished(_ task: TaskState) {
        if let pending = task.pending {
            finished.append(pending)
            task.pending = nil
            task.awaitingExit = false
        }
    }

    // MARK: events

    func nextSeq() -> UInt64 {
        seq += 1
        return seq
    }

    @discardableResult
    func emit(pid: Int32, tid: Int32, _ kind: Event.Kind) -> Verdict {
        var e = Event(seq: nextSeq(), mono: TraceClock.mono() &- startMono, wall: TraceClock.wall(), pid: pid, tid: tid, kind: kind)
        if options.stackForEveryEvent, case .exec = kind { e.stack = stacks.capture(pid: pid, tid: tid) }
        processes.apply(e)
        let v = sink.observe(e, processes: processes)
        finished.append(e)
        enforceOutsideSyscall(v, pid: pid, event: e)
        return v
    }

    func flushFinished() {
        if finished.isEmpty { return }
        let batch = finished
        finished.removeAll(keepingCapacity: true)
        for e in batch { sink.record(e, processes: processes) }
        sink.flush()
    }

    /// Verdicts on non-syscall events (exec, spawn) act at once; what already
    /// happened cannot be refused, so a deny there ends the process.
    func enforceOutsideSyscall(_ v: Verdict, pid: Int32, event: Event) {
        var v = v
        if v == .pause {
            hold(except: tasks[event.tid])
            v = sink.decidePause(event, processes: processes)
        }
        switch v {
        case .killProcess, .deny: kill(process: pid)
        case .killTree: killTree()
        case .allow, .pause: break
        }
    }

    /// Stops every other traced task (they report an interrupt stop, and are
    /// resumed when the loop sees it) while the operator decides.
    func hold(except current: TaskState?) {
        for t in tasks.values where t !== current { cp_interrupt(t.tid) }
    }

    func kill(process pid: Int32) {
        outcome.killedByVerdict = true
        cp_kill(pid, SIGKILL)
    }

    func killTree() {
        outcome.killedByVerdict = true
        for pid in Set(tasks.values.map(\.pid)) { cp_kill(pid, SIGKILL) }
    }

    // MARK: syscalls

    func archOf(_ info: cp_syscall_info) -> Arch {
        switch info.arch {
        case SyscallTable.auditArchX86_64: return info.nr & SyscallTable.x32Bit != 0 ? .x32 : .x86_64
        case SyscallTable.auditArchI386: return .i386
        default: return .unknown
        }
    }

    func syscallEntry(_ task: TaskState, given: cp_syscall_info? = nil) {
        var info = given ?? cp_syscall_info()
        if given == nil, cp_get_syscall_info(task.tid, &info) != 0 || info.op == Int32(CP_OP_NONE) {
            // The task vanished between the stop and the query; its exit will be reported.
            return
        }
        let arch = archOf(info)
        var raw = withUnsafeBytes(of: info.args) { Array($0.bindMemory(to: UInt64.self)) }
        if arch == .i386 { raw = raw.map { $0 & 0xFFFF_FFFF } }
        var name = SyscallTable.name(nr: info.nr, arch: arch)
        if keepStats { count("entry:" + name) }
        if coLocation.enabled, arch == .x86_64 ? CoLocation.affinityNumbers.contains(Int(truncatingIfNeeded: info.nr))
                                                : CoLocation.affinityCalls.contains(name) {
            let pid = Int32(truncatingIfNeeded: raw[0])  // pid_t: the kernel reads the low half
            let target = pid == 0 ? task : tasks[pid]
            if let target { coLocation.affinityAsked(of: target) }
            // Stopped for the release alone: not an event (a foreign-arch call still is one).
            if arch == .x86_64, !options.allSyscalls, !options.traced.contains(name) {
                resume(task)
                return
            }
        }
        var ctx = DecodeContext(pid: task.pid, tid: task.tid, arch: arch, raw: raw, payloadLimit: options.payloadLimit,
                                workingDirectory: task.workingDirectory)
        ctx.treeSockets = stdioGuard.sockets
        if arch == .i386 && name == "socketcall" {
            name = demuxSocketcall(&ctx)
        }
        var args: [Arg]
        if let decoder = DecoderRegistry.entry[name] {
            args = decoder(&ctx)
        } else {
            args = DecoderRegistry.generic(&ctx)
        }
        var refusal: Int32?
        if stdioGuard.active, StdioGuard.watches(nr: Int(truncatingIfNeeded: info.nr), arch: arch, name: name) {
            switch guardStdio(task, name, arch: arch, ctx.raw, args) {
            case .proceed: break
            case .done: return
            case .refuse: refusal = EPERM
            }
            let stoppedForGuardAlone = arch == .x86_64 && !options.allSyscalls && !tracedNumbers.contains(Int(info.nr))
            if refusal == nil, stoppedForGuardAlone {
                resume(task)
                return
            }
        }
        let carriesDNS = options.followDNS && watchDNSStream(task, name, args, &ctx)
        let changesDirectory = WorkingDirectory.changers.contains(name)
        if changesDirectory { task.workingDirectory.changeBegins() }
        task.changingDirectory = changesDirectory
        // Another thread shares this memory and could rewrite the argument between
        // our read and the kernel's: the result is checked against the kernel's view.
        noteSharedMemory(task, name, ctx.raw, args)
        let recheck = sharesMemory(task.pid) && RaceCheck.checked.contains(name)
        var sc = Syscall(name: name, nr: Int32(truncatingIfNeeded: info.nr), arch: arch, args: args,
                         unreadable: ctx.unreadable)
        var verdict = refusal.map { Verdict.deny(errno: $0) } ?? .allow
        if (name == "clone" || name == "clone3"), let flags = CloneDecoders.flags(of: args), flags & Flags.cloneUntraced != 0 {
            // A child the tracer could not follow: refuse it outright.
            verdict = .deny(errno: EPERM)
            sink.notice("pid \(task.pid) asked \(name) for CLONE_UNTRACED; denied")
        } else if name == "clone3" && ctx.unreadable {
            verdict = .deny(errno: EFAULT)
        }
        var e = Event(seq: nextSeq(), mono: TraceClock.mono() &- startMono, wall: TraceClock.wall(), pid: task.pid, tid: task.tid,
                      kind: .syscall(sc))
        if options.stackForEveryEvent { e.stack = stacks.capture(pid: task.pid, tid: task.tid) }
        if Self.remapping.contains(name) { stacks.forget(pid: task.pid) }
        verdict = verdict.merged(sink.observe(e, processes: processes))
        if verdict == .pause {
            hold(except: task)
            verdict = sink.decidePause(e, processes: processes)
            if verdict == .pause { verdict = .deny(errno: EPERM) }
        }
        task.pendingCtx = ctx
        switch verdict {
        case .allow, .pause:
            let wantExit = options.recordResults
                ? !SyscallTable.noReturn.contains(name)
                : options.exitNeeded.contains(name) || carriesDNS || recheck || name == "clone3" || changesDirectory
            if wantExit {
                task.pending = e
                task.awaitingExit = true
                task.recheck = recheck
                task.lastChild = nil
            } else {
                finished.append(e)
            }
            resume(task)
        case .deny(let errno):
            cp_set_syscall_nr(task.tid, -1)
            task.denyErrno = errno
            sc.denied = true
            var denied = Event(seq: e.seq, mono: e.mono, wall: e.wall, pid: e.pid, tid: e.tid, kind: .syscall(sc))
            denied.stack = e.stack
            task.pending = denied
            task.awaitingExit = true
            resume(task)
        case .killProcess:
            task.pending = e
            kill(process: task.pid)
        case .killTree:
            task.pending = e
            killTree()
        }
    }

    func syscallStop(_ task: TaskState) {
        var info = cp_syscall_info()
        if cp_get_syscall_info(task.tid, &info) != 0 { return }
        if info.op == Int32(CP_OP_ENTRY) {
            // Entry stops only come while a DNS stream is followed or a stdio slot
            // may be empty (every syscall of that task stops).
            if task.stdioSteps > 0, stdioStep(task, info) { return }
            if task.pending == nil, isDNSStreamTraffic(task, info) {
                syscallEntry(task, given: info)
            } else {
                resume(task)
            }
            return
        }
        if task.stdioSteps > 0 { stdioStepEnded(task, ret: info.rval) }
        guard let pending = task.pending, case .syscall(var sc) = pending.kind else {
            task.awaitingExit = false
            resume(task)
            return
        }
        var ret = info.rval
        if let errno = task.denyErrno {
            ret = -Int64(errno)
            cp_set_return(task.tid, Int(ret))
            task.denyErrno = nil
        }
        var out: [Arg] = []
        if ret >= 0, !sc.denied, var ctx = task.pendingCtx, let decoder = DecoderRegistry.exit[sc.name] {
            ctx.forgetResolved()
            out = decoder(&ctx, ret)
        }
        sc.exit = SyscallExit(ret: ret, out: out)
        sc.exitSeq = nextSeq()
        var e = Event(seq: pending.seq, mono: pending.mono, wall: pending.wall, pid: task.pid, tid: task.tid,
                      kind: .syscall(sc))
        e.stack = pending.stack
        task.pending = nil
        task.awaitingExit = false
        task.pendingCtx = nil
        if task.changingDirectory { directoryChanged(task, sc.name, ret: ret) }
        let recheck = task.recheck
        task.recheck = false
        processes.apply(e)
        var verdict = sink.observe(e, processes: processes)
        if recheck, let verdictOnTruth = recheckAgainstKernel(task, pending, sc) {
            verdict = verdict.merged(verdictOnTruth)
        }
        if sc.name == "clone3" && ret > 0 && task.lastChild != Int32(truncatingIfNeeded: ret) {
            // The kernel made a child without telling the tracer: it escaped.
            sink.notice("pid \(task.pid): clone3 child \(ret) escaped the tracer; killed")
            cp_kill(Int32(truncatingIfNeeded: ret), SIGKILL)
            verdict = verdict.merged(.killProcess)
        }
        finished.append(e)
        switch verdict {
        case .killProcess: kill(process: task.pid)
        case .killTree: killTree()
        default: resume(task)
        }
    }

    func directoryChanged(_ task: TaskState, _ name: String, ret: Int64) {
        task.changingDirectory = false
        task.workingDirectory.changeEnds()
        guard ret == 0 else { return }
        switch name {
        case "unshare":
            // CLONE_FS or not, an entry of its own is right for the task from now on.
            task.workingDirectory = WorkingDirectory()
        case "pivot_root":
            for t in tasks.values { t.workingDirectory = WorkingDirectory() }
        default:
            break
        }
    }

    /// i386 socketcall(call, args): decoded as the socket syscall it stands for.
    func demuxSocketcall(_ ctx: inout DecodeContext) -> String {
        let call = Int64(ctx.raw[0])
        guard let name = Flags.socketcall.names[call] else { return "socketcall" }
        if let b = ctx.mem.bytes(ctx.raw[1], 24) {
            var words = [UInt64](repeating: 0, count: 6)
            for i in 0..<min(6, b.count / 4) { words[i] = UInt64(le32(b, i * 4)) }
            ctx.raw = words
        } else {
            ctx.unreadable = true
        }
        return name
    }

    func execed(_ task: TaskState) {
        var msg: UInt = 0
        cp_geteventmsg(task.tid, &msg)
        let former = Int32(truncatingIfNeeded: msg)
        var current = task
        if former != task.tid, let old = tasks.removeValue(forKey: former) {
            // A non-leader thread exec'd: it now carries the leader's id.
            forgetThread(of: old.pid)
            old.tid = task.tid
            tasks[task.tid] = old
            current = old
        }
        let pid = current.pid
        let exe = FdResolver.readlink("/proc/\(pid)/exe") ?? ""
        let stat = ProcStat.read(pid, argBounds: true)
        var argv = stat.flatMap { ProcStat.argv(pid, $0) } ?? ProcStatus.cmdline(pid) ?? []
        var path = exe
        if let pending = current.pending, case .syscall(let sc) = pending.kind {
            if case .path(let p, _)? = sc.arg("filename") { path = p }
            if argv.isEmpty, case .strings(let list, _)? = sc.arg("argv") { argv = list }
        }
        let cwd = current.workingDirectory.path(tid: pid) ?? ""
        let comm = stat?.comm ?? ""
        stacks.invalidate(pid: pid)
        current.dnsStreams.removeAll()
        sharedMemory.remove(pid)  // a new image: the old mappings are gone
        if pid == rootPid { rootExeced = true }
        let binary = fingerprints.running(pid: pid)
        // The kernel ran a #! script through its interpreter: fingerprint the script too.
        let script = path != exe && !path.isEmpty ? fingerprints.file(path).flatMap { $0.format == "script" ? $0 : nil } : nil
        emit(pid: pid, tid: pid, .exec(Exec(exe: exe, path: path, argv: argv, cwd: cwd, comm: comm,
                                            formerTid: former != pid ? former : nil,
                                            facts: ProcStatus.facts(pid, needs: options.procFacts, stat: stat,
                                                                    base: processes.process(pid)?.facts ?? ProcFacts()),
                                            binary: binary, script: script)))
        resume(current)
    }

    func signalDelivery(_ task: TaskState, _ sig: Int32) {
        var signo: Int32 = 0, code: Int32 = 0, sender: pid_t = 0
        let hasInfo = cp_getsiginfo_code(task.tid, &signo, &code, &sender) == 0
        emit(pid: task.pid, tid: task.tid, .signal(SignalDelivery(signal: sig, senderPid: hasInfo && code <= 0 ? sender : nil)))
        resume(task, signal: sig)
    }
}

/// Tracer-side state of one task (thread).
final class TaskState {
    var tid: Int32
    let pid: Int32
    /// A syscall entry waiting for its exit stop.
    var pending: Event?
    var pendingCtx: DecodeContext?
    var awaitingExit = false
    var denyErrno: Int32?
    /// Child reported by the last fork/vfork/clone event.
    var lastChild: Int32?
    /// The exit of this syscall is compared with what the kernel actually did (RaceCheck).
    var recheck = false
    /// The clone in progress shares the address space with a new process (CLONE_VM without CLONE_THREAD/CLONE_VFORK).
    var cloneSharesVM = false
    /// TCP connections to a trusted resolver: while any is open, every syscall of the task stops.
    var dnsStreams: Set<Int32> = []
    /// Syscalls stepped since it closed one of 0–2 (StdioGuard); 0 when not stepping.
    var stdioSteps = 0
    /// The call stepped now is dup2 or dup3: whatever it returns, a slot may be filled.
    var stdioStepDups = false
    var workingDirectory = WorkingDirectory()
    /// The syscall awaiting its exit may change the working directory.
    var changingDirectory = false
    /// Its own CPU mask while CoLocation keeps it on the tracer's CPU (and until
    /// its next stop, for a child forked just before the release).
    var maskBeforePin: cp_cpu_mask?
    /// It read or set a CPU mask: CoLocation leaves it where it is.
    var keepsOwnAffinity = false

    init(tid: Int32, pid: Int32) {
        self.tid = tid
        self.pid = pid
    }
}

public enum TraceClock {
    public static func mono() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
    public static func wall() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String { self[...].trimmingCharacters(in: set) }
}

func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>?) -> R) -> R {
    var ptrs: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    ptrs.append(nil)
    defer { for p in ptrs { free(p) } }
    return ptrs.withUnsafeBufferPointer { body($0.baseAddress) }
}
