// Turns `strace -f` logs into the events a live agentwatch run would have
// recorded, so an incident responder's strace capture replays through the
// same policy engine: same syscall argument names and types, the process tree
// rebuilt from clone/fork results and execve, sequence numbers assigned the
// way the live tracer assigns them (entry `seq`, exit `exitSeq`, records in
// completion order — `EngineOrder` gives the engine's order back).

public final class StraceImporter: EventStream {
    public struct Options: Sendable {
        /// Working directory of the first process, which strace does not print.
        /// Without it, relative paths stay relative until a chdir or a -yy
        /// `AT_FDCWD</dir>` tells.
        public var cwd: String?
        /// Pid for lines that carry none (strace without -f), until the log names one.
        public var unnamedPid: Int32 = 0
        /// -t/-tt print a time of day: this is the wall time (ns since the epoch)
        /// of the midnight before the log started. With -r, the wall time of the first line.
        public var wallBase: UInt64 = 0
        /// uid of the first process (strace does not print it).
        public var uid: UInt32 = 0
        public init() {}
    }

    public let name: String
    public private(set) var warnings: [TraceDiagnostic] = []
    let options: Options
    private let input: StraceLineSource

    private var queue: [Event] = []
    private var head = 0
    private var seq: UInt64 = 0
    private var clock: StraceClock
    private var ended = false

    private var processes: [Int32: StraceProcess] = [:]
    /// Thread id → process id, kept after a task ends so its late lines still place.
    private var tgidOf: [Int32: Int32] = [:]
    private var alive: Set<Int32> = []
    private var pending: [Int32: Pending] = [:]
    private var rootPid: Int32?
    /// The root got `unnamedPid` because its first lines had no pid; the first
    /// unexplained pid the log names is taken to be it.
    private var rootUnnamed = false
    private var alias: [Int32: Int32] = [:]
    private var lastTid: Int32?
    /// A line strace's own notice broke in two ("…strace: Process N attached\n <unfinished ...>").
    private var carry: StraceRawLine?

    /// A call whose `<unfinished ...>` line was seen: entry seq and time are its.
    struct Pending {
        var name: String
        var args: [UInt8]
        var seq: UInt64
        var mono: UInt64
        var wall: UInt64
        var line: Int
        /// Clone-family calls: flags from the entry, and the child once one appeared.
        var cloneFlags: UInt64?
        var child: Int32?
    }

    /// Reads one log: `strace -f -o FILE`, or a terminal capture with `[pid N]` prefixes.
    public convenience init(path: String, options: Options = Options()) throws(TraceDiagnostic) {
        let reader = try ByteLineReader(path: path)
        self.init(input: StraceFileLines(reader), name: path, options: options)
    }

    /// Reads the per-task files `strace -ff -o PREFIX` wrote (PREFIX.PID).
    public convenience init(perPidPrefix prefix: String, options: Options = Options()) throws(TraceDiagnostic) {
        let files = StraceMergedLines.files(prefix: prefix)
        guard !files.isEmpty else { throw TraceDiagnostic(file: prefix, line: 0, message: "no files \(prefix).PID") }
        self.init(input: try StraceMergedLines(files), name: prefix, options: options)
    }

    /// Reads a log held in memory.
    public convenience init(string: String, name: String = "<memory>", options: Options = Options()) {
        self.init(input: StraceFileLines(ByteLineReader(bytes: Array(string.utf8), name: name)), name: name, options: options)
    }

    init(input: StraceLineSource, name: String, options: Options) {
        self.input = input
        self.name = name
        self.options = options
        self.clock = StraceClock(midnight: options.wallBase)
    }

    public func next() throws(TraceDiagnostic) -> Event? {
        while head == queue.count {
            queue.removeAll(keepingCapacity: true)
            head = 0
            if ended { return nil }
            if let line = try input.next() {
                try take(line)
            } else {
                if let c = carry { carry = nil; try handle(c) }
                finishAll()
                ended = true
            }
        }
        let e = queue[head]
        head += 1
        return e
    }

    public func engineOrder(window: Int = EngineOrder.defaultWindow) -> EngineOrder {
        EngineOrder(source: self, window: window)
    }

    // MARK: lines

    private func take(_ raw: StraceRawLine) throws(TraceDiagnostic) {
        var line = raw
        if let c = carry {
            carry = nil
            let rest = line.bytes.drop { $0 == 32 }
            if rest.starts(with: Array("<unfinished ...>".utf8)) || rest.starts(with: Array("<detached ...>".utf8)) {
                line = StraceRawLine(bytes: c.bytes + [32] + rest, file: c.file, number: c.number, pid: c.pid, terminated: line.terminated)
            } else {
                try handle(c)
            }
        }
        // strace -f writing to a terminal mixes in its notices, even mid-line.
        if let cut = line.bytes.firstRange(of: Array("strace: Process ".utf8)), cut.lowerBound > 0 {
            line.bytes = Array(line.bytes[..<cut.lowerBound])
            carry = line
            return
        }
        try handle(line)
    }

    private func handle(_ line: StraceRawLine) throws(TraceDiagnostic) {
        let parsed: StraceLine
        do {
            parsed = try StraceLine.parse(line.bytes)
        } catch {
            try problem(line, error.message)
            return
        }
        clock.advance(parsed.time)
        if case .remark = parsed.body { return }
        let named = parsed.pid ?? line.pid
        var tid = named ?? currentTid()
        switch parsed.body {
        case .remark:
            return
        case .personality(let arch):
            tid = known(tid, named: named != nil, resuming: nil)
            process(of: tid).arch = arch
        case .signal(let sig, let info):
            tid = known(tid, named: named != nil, resuming: nil)
            emit(tid, .signal(SignalDelivery(signal: sig, senderPid: Self.sender(info))), seq: nextSeq())
        case .exited(let code):
            tid = known(tid, named: named != nil, resuming: nil)
            taskEnded(tid, Exit(code: code, signal: nil, processEnded: tid == tgid(tid)))
        case .killed(let sig, let core):
            tid = known(tid, named: named != nil, resuming: nil)
            taskEnded(tid, Exit(code: nil, signal: sig, core: core, processEnded: tid == tgid(tid)))
        case .superseded(let former):
            // A thread's execve replaced the process; its pending execve finishes as the leader's.
            tid = known(tid, named: named != nil, resuming: nil)
            if var p = pending.removeValue(forKey: former) {
                p.child = former
                pending[tid] = p
            }
            alive.remove(former)
        case .unfinished(let name, let args):
            tid = known(tid, named: named != nil, resuming: nil, firstCall: (name, args))
            var p = Pending(name: name, args: args, seq: nextSeq(), mono: clock.mono, wall: clock.wall, line: line.number)
            if Self.cloneFamily.contains(name) {
                var d = StraceDecoder(name: name, args: StraceLine.partialCall(args), ret: nil, retAnnotation: nil, process: process(of: tid))
                p.cloneFlags = StraceDecoder.cloneFlags(name, d.processArgs() ?? [])
            }
            if let stale = pending.updateValue(p, forKey: tid) { finish(tid, stale) }
        case .complete(let name, let rest):
            tid = known(tid, named: named != nil, resuming: nil, firstCall: (name, rest))
            let p = Pending(name: name, args: [], seq: nextSeq(), mono: clock.mono, wall: clock.wall, line: line.number)
            try complete(tid, p, text: rest, line: line)
        case .resumed(let name, let rest):
            tid = known(tid, named: named != nil, resuming: name)
            if let p = pending[tid], p.name == name {
                pending[tid] = nil
                try complete(tid, p, text: p.args + rest, line: line)
            } else {
                warn(line, "\(name) resumed without its start; decoded from the resumption alone")
                let p = Pending(name: name, args: [], seq: nextSeq(), mono: clock.mono, wall: clock.wall, line: line.number)
                try complete(tid, p, text: rest, line: line)
            }
        }
        lastTid = tid
    }

    private func problem(_ line: StraceRawLine, _ message: String) throws(TraceDiagnostic) {
        if !line.terminated {
            // strace was killed mid-line: everything before it stands.
            warn(line, "last line is cut short (\(message)); ignored")
            return
        }
        throw TraceDiagnostic(file: line.file, line: line.number, message: message)
    }

    private func warn(_ line: StraceRawLine, _ message: String) {
        if warnings.count < 100 { warnings.append(TraceDiagnostic(file: line.file, line: line.number, message: message)) }
    }

    /// Without a pid prefix a line belongs to the only task strace was tracing.
    private func currentTid() -> Int32 {
        if alive.count == 1, let only = alive.first { return only }
        return lastTid ?? rootPid ?? options.unnamedPid
    }

    // MARK: calls

    static let cloneFamily: Set<String> = ["clone", "clone3", "fork", "vfork"]

    /// Parses a finished call (`text` is everything after `name(`) and records it.
    private func complete(_ tid: Int32, _ p: Pending, text: [UInt8], line: StraceRawLine) throws(TraceDiagnostic) {
        let args: [StraceArg]
        let result: StraceResult
        do {
            (args, result) = try StraceLine.call(text)
        } catch {
            try problem(line, error.message)
            return
        }
        record(tid, p, args: args, result: result)
    }

    /// A call that never returned (its task ended, or the log did).
    private func finish(_ tid: Int32, _ p: Pending) {
        record(tid, p, args: StraceLine.partialCall(p.args), result: StraceResult(ret: nil, annotation: nil))
    }

    private func record(_ tid: Int32, _ p: Pending, args raw: [StraceArg], result: StraceResult) {
        let proc = process(of: tid)
        var d = StraceDecoder(name: p.name, args: raw, ret: result.ret, retAnnotation: result.annotation, process: proc)
        let (args, out) = d.decode()
        let exit = result.ret.map { SyscallExit(ret: $0, out: out) }
        var sc = Syscall(name: p.name, nr: Self.number(p.name, proc.arch), arch: proc.arch, args: args, exit: exit,
                         unreadable: d.unreadable)
        // What the tracer reports between entry and exit: the new task, the new image.
        if let ret = result.ret, ret > 0, Self.cloneFamily.contains(p.name) {
            let child = Int32(truncatingIfNeeded: ret)
            if !alive.contains(child) {
                introduceChild(child, creator: tid, flags: StraceDecoder.cloneFlags(p.name, args))
            }
        }
        if result.ret == 0, p.name == "execve" || p.name == "execveat" {
            exec(tid, sc, formerTid: p.child)
        }
        if result.ret != nil { sc.exitSeq = nextSeq() }
        queue.append(Event(seq: p.seq, mono: p.mono, wall: p.wall, pid: tgid(tid), tid: tid, kind: .syscall(sc)))
        proc.apply(name: p.name, raw: raw, args: args, exit: exit)
    }

    static func number(_ name: String, _ arch: Arch) -> Int32 {
        if arch == .i386, let i = SyscallNames.i386.firstIndex(of: name) { return Int32(i) }
        return Int32(SyscallTable.x86_64Number(name) ?? -1)
    }

    private func exec(_ tid: Int32, _ sc: Syscall, formerTid: Int32?) {
        let pid = tgid(tid)
        let proc = process(of: tid)
        var path = proc.exe
        if case .path(let p, _)? = sc.arg("filename") { path = p }
        var argv: [String] = []
        if case .strings(let list, _)? = sc.arg("argv") { argv = list }
        proc.exec(path: path, argv: argv)
        let former = formerTid ?? (tid != pid ? tid : nil)
        emit(pid, .exec(Exec(exe: path, path: path, argv: argv, cwd: proc.cwd ?? "", comm: proc.comm, formerTid: former)), seq: nextSeq())
    }

    private func taskEnded(_ tid: Int32, _ x: Exit) {
        if let p = pending.removeValue(forKey: tid) { finish(tid, p) }
        emit(tid, .exit(x), seq: nextSeq())
        alive.remove(tid)
        if x.processEnded {
            let pid = tgid(tid)
            alive = alive.filter { tgidOf[$0] != pid }
            processes[pid] = nil
        }
    }

    /// End of input: calls still waiting never returned.
    private func finishAll() {
        for (tid, p) in pending.sorted(by: { $0.value.seq < $1.value.seq }) { finish(tid, p) }
        pending.removeAll()
    }

    // MARK: tasks

    private func nextSeq() -> UInt64 {
        seq += 1
        return seq
    }

    private func emit(_ tid: Int32, _ kind: Event.Kind, seq: UInt64) {
        queue.append(Event(seq: seq, mono: clock.mono, wall: clock.wall, pid: tgid(tid), tid: tid, kind: kind))
    }

    private func tgid(_ tid: Int32) -> Int32 { tgidOf[tid] ?? tid }

    private func process(of tid: Int32) -> StraceProcess {
        let pid = tgid(tid)
        if let p = processes[pid] { return p }
        // A task whose process already ended (late lines): a bare record keeps decoding going.
        let p = StraceProcess(pid: pid, ppid: 0, exe: "", argv: [], cwd: nil, comm: "", uid: options.uid)
        processes[pid] = p
        return p
    }

    /// The task id to use for a line, announcing the task (spawn or thread) at first sight.
    private func known(_ tid: Int32, named: Bool, resuming: String?, firstCall: (String, [UInt8])? = nil) -> Int32 {
        if let a = alias[tid] { return a }
        if tgidOf[tid] != nil { return tid }
        guard let root = rootPid else {
            introduceRoot(tid, unnamed: !named, firstCall: firstCall)
            return tid
        }
        if rootUnnamed && named {
            // The root printed its first lines without a pid; a resumption of its call names it.
            if let r = resuming, pending[root]?.name == r { return adopt(tid, as: root) }
        }
        if let (creatorTid, p) = pending.filter({ $0.value.cloneFlags != nil && $0.value.child == nil }).max(by: { $0.value.seq < $1.value.seq }) {
            // A child's first lines can come before its parent's clone returns.
            pending[creatorTid]?.child = tid
            introduceChild(tid, creator: creatorTid, flags: p.cloneFlags ?? 0)
            return tid
        }
        if rootUnnamed && named { return adopt(tid, as: root) }
        // Nothing explains it (strace -p of a running tree, a damaged log).
        tgidOf[tid] = tid
        alive.insert(tid)
        processes[tid] = StraceProcess(pid: tid, ppid: 0, exe: "", argv: [], cwd: nil, comm: "", uid: options.uid)
        emit(tid, .spawn(Spawn(ppid: 0, via: "unknown", exe: "", argv: [], cwd: "", uid: options.uid, comm: "")), seq: nextSeq())
        return tid
    }

    private func adopt(_ tid: Int32, as root: Int32) -> Int32 {
        alias[tid] = root
        rootUnnamed = false
        return root
    }

    private func introduceRoot(_ tid: Int32, unnamed: Bool, firstCall: (String, [UInt8])?) {
        rootPid = tid
        rootUnnamed = unnamed
        let proc = StraceProcess(pid: tid, ppid: 0, exe: "", argv: [], cwd: options.cwd, comm: "", uid: options.uid)
        if let (name, text) = firstCall, name == "execve" {
            // `strace CMD` starts with CMD's execve: the root is what it was asked to run.
            var d = StraceDecoder(name: name, args: StraceLine.partialCall(text), ret: nil, retAnnotation: nil, process: proc)
            if let args = d.fileArgs() {
                var path = ""
                if case .path(let p, _)? = args.first?.value { path = p }
                var argv: [String] = []
                if case .strings(let l, _)? = args.dropFirst().first?.value { argv = l }
                proc.exec(path: path, argv: argv)
            }
        }
        processes[tid] = proc
        tgidOf[tid] = tid
        alive.insert(tid)
        emit(tid, .spawn(Spawn(ppid: 0, via: "root", exe: proc.exe, argv: proc.argv, cwd: proc.cwd ?? "", uid: proc.uid,
                               comm: proc.comm)), seq: nextSeq())
    }

    private func introduceChild(_ child: Int32, creator: Int32, flags: UInt64) {
        let parentPid = tgid(creator)
        let parent = process(of: creator)
        alive.insert(child)
        if flags & Flags.cloneThread != 0 {
            tgidOf[child] = parentPid
            emit(child, .thread(ThreadStart(creator: creator)), seq: nextSeq())
            return
        }
        let ppid = flags & 0x8000 != 0 ? parent.ppid : parentPid  // CLONE_PARENT: a sibling
        let proc = StraceProcess(pid: child, ppid: ppid, exe: parent.exe, argv: parent.argv, cwd: parent.cwd,
                                 comm: parent.comm, uid: parent.uid)
        proc.fds = parent.fds
        proc.arch = parent.arch
        processes[child] = proc
        tgidOf[child] = child
        emit(child, .spawn(Spawn(ppid: ppid, via: StraceDecoder.via(cloneFlags: flags), exe: parent.exe, argv: parent.argv,
                                 cwd: parent.cwd ?? "", uid: parent.uid, comm: parent.comm)), seq: nextSeq())
    }

    /// The sender of a signal, when a process sent it (si_code SI_USER, SI_QUEUE, SI_TKILL, …).
    static func sender(_ info: StraceValue?) -> Int32? {
        guard let info, case .word(let code)? = info.field("si_code") else { return nil }
        let fromProcess: Set<String> = ["SI_USER", "SI_QUEUE", "SI_TKILL", "SI_TIMER", "SI_MESGQ", "SI_ASYNCIO", "SI_SIGIO"]
        guard fromProcess.contains(code) || (Int(code).map { $0 <= 0 } ?? false) else { return nil }
        return StraceDecoder.integer(info.field("si_pid")).map { Int32(truncatingIfNeeded: $0) }
    }
}

extension StraceDecoder {
    /// Arguments and results named and typed as the live decoders do; other calls
    /// keep strace's text as `arg0`…`argN`.
    mutating func decode() -> (args: [Arg], out: [Arg]) {
        let entry: [Arg]
        if let a = fileArgs() { entry = a }
        else if let a = netArgs() { entry = a }
        else if let a = processArgs() { entry = a }
        else { entry = args.enumerated().map { Arg("arg\($0.offset)", .str($0.element.text, truncated: false)) } }
        let out = fileOut(entry) ?? netOut(entry) ?? processOut(entry) ?? []
        return (entry, out)
    }
}
