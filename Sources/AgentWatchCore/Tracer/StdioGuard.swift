import CPtrace
import Glibc

/// find, git log -p and test runners write to stdout and stderr thousands of
/// times, and under the pack each write stopped only so that the stratum rule
/// could look for a socket (find: 902 of its 944 stops). When no rule can match
/// a write that sends nothing on a socket, the prefilter lets write and writev
/// on descriptors 0–2 run unstopped, and this guard keeps sockets off those
/// slots for every process that has not been given the second filter:
///
/// - a socket is safe there when its bytes are not read anyway: a unix stream
///   whose other end stays inside the traced tree (TreeSockets);
/// - it starts only when agentwatch's own stdin, stdout and stderr (what the
///   root inherits) are open and none is another kind of socket;
/// - the prefilter stops every call that could put a socket on 0–2 or empty one
///   of them (the lowest free descriptor is where socket, accept, dup and
///   recvmsg's SCM_RIGHTS put theirs): close and close_range from 0–2, dup2 and
///   dup3 onto 0–2, F_SETFD and FIOCLEX on 0–2 (an exec would empty the slot),
///   a clone sharing the descriptor table with a new process (whose own calls
///   this process would not see), and a seccomp filter with a listener (its
///   supervisor can add a descriptor on any slot: SECCOMP_IOCTL_NOTIF_ADDFD);
/// - before such a call runs, its process is made to install a filter that stops
///   its writes on 0–2 again (seccomp with TSYNC, so every thread at once), and
///   the call starts over under both filters. Forks inherit it, exec keeps it.
///   Every other traced task is held meanwhile (the program lies in memory);
/// - a single-threaded task that closes one of 0–2 is stepped instead until a
///   descriptor fills the slot again, and gets the filter only when it makes a
///   call that could put a socket there or hand the slot to another task.
///
/// dup2 of a descriptor that is no socket (or a safe one) onto 0–2 (every
/// shell redirection, every child Node starts) changes nothing when the process has one thread: nothing can swap the
/// descriptor between the check and the call. A call made through another ABI
/// (int 0x80, x32) cannot take the filter that way and is refused instead.
final class StdioGuard {
    struct Watched {
        let name: String
        let nr: Int
        let fdArg: Int
        /// The command (argument 1) that makes the call matter, for fcntl and ioctl.
        var command: UInt32?
    }

    static let fSetFD: UInt32 = 2
    static let fdCloexec: UInt64 = 1
    static let fioclex: UInt32 = 0x5451
    static let oCloexec: UInt64 = 0o2000000

    /// What the prefilter stops, on descriptors 0–2, for the guard.
    static let watched: [Watched] = [
        Watched(name: "close", nr: 3, fdArg: 0),
        Watched(name: "close_range", nr: 436, fdArg: 0),
        Watched(name: "dup2", nr: 33, fdArg: 1),
        Watched(name: "dup3", nr: 292, fdArg: 1),
        Watched(name: "fcntl", nr: 72, fdArg: 0, command: fSetFD),
        Watched(name: "ioctl", nr: 16, fdArg: 0, command: fioclex),
    ]
    /// seccomp always stops: a filter with a listener lets another process put
    /// a descriptor on any slot of this one (SECCOMP_IOCTL_NOTIF_ADDFD).
    static let seccompNr = 317
    /// By name, for calls through another ABI (every one of them stops).
    static let watchedNames: Set<String> = Set(watched.map(\.name)).union(["fcntl64", "clone", "clone3", "seccomp"])
    /// By x86_64 number: every native stop asks, and a number is cheaper to look up than a name.
    static let watchedNumbers = Set(watchedNames.compactMap(SyscallTable.x86_64Number))

    static func watches(nr: Int, arch: Arch, name: String) -> Bool {
        arch == .x86_64 ? watchedNumbers.contains(nr) : watchedNames.contains(name)
    }
    static let seccompNewListener: UInt64 = 8

    let active: Bool
    let sockets: TreeSockets
    /// Processes (thread groups) that carry the filter on their writes to 0–2.
    private var filtered: Set<Int32> = []
    private(set) var installs = 0

    init(active: Bool, sockets: TreeSockets) {
        self.active = active
        self.sockets = sockets
    }

    /// The writes are exempt only when they would stop natively for the rules
    /// alone, and the slots start out safe (`ownStdio`: TreeSockets.ownStdioSockets).
    /// AGENTWATCH_STDIO_GUARD=0 keeps every write stopping, to compare.
    static func applies(_ options: TraceOptions, tracedNumbers: Set<Int>, ownStdio: Set<UInt64>?) -> Bool {
        !options.stdioWrites && !options.allSyscalls
            && getenv("AGENTWATCH_STDIO_GUARD").map({ String(cString: $0) != "0" }) ?? true
            && (tracedNumbers.contains(SeccompProgram.writeNr) || tracedNumbers.contains(SeccompProgram.writevNr))
            && ownStdio != nil
    }

    func carriesFilter(_ pid: Int32) -> Bool { filtered.contains(pid) }

    /// A process made by one that carries the filter carries it too.
    func created(_ child: Int32, by creator: Int32) {
        if child != creator, filtered.contains(creator) { filtered.insert(child) }
    }

    func ended(_ pid: Int32) { filtered.remove(pid) }

    /// Syscalls a task emptying a slot is stepped through before the filter goes on anyway.
    static let stepLimit = 4096

    /// A plain close of 0–2 (close_range marking close-on-exec empties the slot at
    /// a later exec instead, and is not stepped).
    static func steppable(_ name: String, _ raw: [UInt64]) -> Bool {
        name == "close" || (name == "close_range" && (raw.count < 3 || raw[2] & 4 == 0))
    }

    /// A call that could put a socket on an empty slot of 0–2, or let a task
    /// that is not stepped (a child, a thread) have the empty slot.
    func mayInstallSocket(_ name: String, _ raw: [UInt64], pid: Int32) -> Bool {
        func low(_ i: Int) -> UInt32 { i < raw.count ? UInt32(truncatingIfNeeded: raw[i]) : 0 }
        switch name {
        case "socket", "socketpair", "socketcall", "accept", "accept4", "recvmsg", "recvmmsg", "pidfd_getfd",
             "io_uring_setup", "io_uring_enter", "io_uring_register", "clone", "clone3", "fork", "vfork":
            return true
        case "dup":
            return !isPlainFile(pid: pid, fd: low(0))
        case "fcntl", "fcntl64":
            // F_DUPFD, F_DUPFD_CLOEXEC
            return (low(1) == 0 || low(1) == 1030) && !isPlainFile(pid: pid, fd: low(0))
        default:
            return false
        }
    }

    /// Open and no socket (a descriptor that cannot be read counts as a socket).
    private func isPlainFile(pid: Int32, fd: UInt32) -> Bool {
        guard let link = FdResolver.link(pid: pid, fd: Int32(bitPattern: fd)) else { return false }
        return !link.hasPrefix("socket:")
    }

    /// Every one of 0–2 open, and none a socket whose bytes are read.
    func slotsFilled(pid: Int32) -> Bool {
        (Int32(0)...2).allSatisfy { fd in
            guard let link = FdResolver.link(pid: pid, fd: fd) else { return false }
            return !link.hasPrefix("socket:") || sockets.staysInside(FdResolver.classify(link, pid: pid, fd: fd))
        }
    }

    /// A new process sharing the descriptor table of a creator without the
    /// filter: the clone that made it was let through as not sharing it.
    func sharesTableUnfiltered(child: Int32, creator: Int32) -> Bool {
        active && child != creator && !filtered.contains(creator) && cp_kcmp_files(creator, child) == 0
    }

    /// Why this call (not yet run) could leave a socket on 0–2 or empty one of
    /// them, or nil when it cannot. `raw` holds the registers (the low halves
    /// are what the kernel reads for these unsigned int arguments).
    func threat(name: String, raw: [UInt64], args: [Arg], pid: Int32, threads: Int) -> String? {
        func low(_ i: Int) -> UInt32 { i < raw.count ? UInt32(truncatingIfNeeded: raw[i]) : 0 }
        switch name {
        case "close" where low(0) <= 2:
            return "closes descriptor \(low(0))"
        case "close_range" where low(0) <= 2:
            return "closes descriptors from \(low(0))"
        case "dup2" where low(1) <= 2, "dup3" where low(1) <= 2:
            let old = low(0), new = low(1)
            if name == "dup3", raw.count > 2, raw[2] & Self.oCloexec != 0 { return "puts a close-on-exec descriptor on \(new)" }
            if old == new { return nil }
            // Another thread could put a socket on `old` between this check and the call.
            if threads > 1 { return "duplicates descriptor \(old) onto \(new) in a process with \(threads) threads" }
            guard let link = FdResolver.link(pid: pid, fd: Int32(bitPattern: old)) else {
                return "duplicates descriptor \(old), which could not be read, onto \(new)"
            }
            guard link.hasPrefix("socket:") else { return nil }
            let info = FdResolver.classify(link, pid: pid, fd: Int32(bitPattern: old))
            return sockets.staysInside(info) ? nil : "duplicates a socket onto descriptor \(new)"
        case "fcntl" where low(0) <= 2, "fcntl64" where low(0) <= 2:
            guard low(1) == Self.fSetFD, raw.count > 2, raw[2] & Self.fdCloexec != 0 else { return nil }
            return "marks descriptor \(low(0)) close-on-exec"
        case "ioctl" where low(0) <= 2:
            return low(1) == Self.fioclex ? "marks descriptor \(low(0)) close-on-exec" : nil
        case "seccomp":
            // SECCOMP_SET_MODE_FILTER with SECCOMP_FILTER_FLAG_NEW_LISTENER
            guard low(0) == 1, raw.count > 1, raw[1] & Self.seccompNewListener != 0 else { return nil }
            return "installs a seccomp filter with a listener (its supervisor could put a socket on any descriptor)"
        case "clone", "clone3":
            guard let flags = name == "clone" ? raw.first : CloneDecoders.flags(of: args) else {
                return "creates a process whose flags could not be read"
            }
            return flags & (Flags.cloneFiles | Flags.cloneThread) == Flags.cloneFiles
                ? "shares its descriptor table with a new process" : nil
        default:
            return nil
        }
    }

    enum Install {
        case installed
        /// The task ended while it was installing: its end, as a wait reports it.
        case gone(cp_wait_result)
        case failed(String)
    }

    /// Makes the process of `task` (stopped at a native syscall's entry) carry
    /// the filter; on success the call is set to start over.
    func install(on task: TaskState) -> Install {
        let program = SeccompProgram.stdioWrites()
        var ended = cp_wait_result()
        let r = program.withUnsafeBufferPointer { p in
            cp_inject_filter(task.tid, p.baseAddress, UInt16(p.count), &ended)
        }
        if r == CP_INJECT_GONE { return .gone(ended) }
        if r == 0 {
            filtered.insert(task.pid)
            installs += 1
            return .installed
        }
        if r > 0 { return .failed("thread \(r) of the process has seccomp filters of its own") }
        return .failed(String(cString: strerror(Int32(truncatingIfNeeded: -r))))
    }
}

extension TraceSession {
    enum GuardStep {
        /// Nothing to do: the call is handled as usual.
        case proceed
        /// The task is taken care of (it starts the call over, or it ended).
        case done
        /// The call must not run.
        case refuse
    }

    /// Installs the filter at a syscall-entry stop of a task stepped since it
    /// emptied a slot, when this call could put a socket there (or hand the
    /// empty slot to a task not stepped), or after too many steps. True when the
    /// stop is taken care of.
    func stdioStep(_ task: TaskState, _ info: cp_syscall_info) -> Bool {
        if stdioGuard.carriesFilter(task.pid) {
            // It got the filter another way (a dup2 of a socket, a listener): nothing left to watch.
            task.stdioSteps = 0
            return false
        }
        task.stdioSteps += 1
        let arch = archOf(info)
        let name = SyscallTable.name(nr: info.nr, arch: arch)
        task.stdioStepDups = name == "dup2" || name == "dup3"
        let raw = withUnsafeBytes(of: info.args) { Array($0.bindMemory(to: UInt64.self)) }
        let threads = threadsOf[task.pid] ?? 1
        guard task.stdioSteps > StdioGuard.stepLimit || threads > 1
              || stdioGuard.mayInstallSocket(name, raw, pid: task.pid) else { return false }
        task.stdioSteps = 0
        let why = "closed one of descriptors 0-2, then calls \(name)"
        if let reason = arch == .x86_64 ? installStdioFilter(task, stats: "\(name) after a close") : "another ABI" {
            // At an entry stop the call cannot be refused cheaply; the process goes.
            sink.notice("pid \(task.pid) \(why), and its writes to stdin, stdout and stderr could not be made to stop (\(reason)); killed")
            kill(process: task.pid)
        }
        return true
    }

    /// Holds the other tasks, installs the filter and sets the call to start
    /// over (or records the task's end); the reason when it could not.
    func installStdioFilter(_ task: TaskState, stats: String) -> String? {
        // Nothing else may run while the program sits in the tracee's memory:
        // another thread, a process sharing that memory, or one writing it
        // through /proc could rewrite it between the tracer's write and the
        // kernel's copy, and the filter installed would be theirs.
        guard quiesceOthers(except: task) else { return "other traced tasks would not stop meanwhile" }
        switch stdioGuard.install(on: task) {
        case .installed:
            if keepStats { count("stdio:filter for \(stats)") }
            resume(task)
        case .gone(let end):
            // Its end was waited for here: the loop takes it next, as any other.
            deferredWaits.insert(end, at: 0)
        case .failed(let reason):
            return reason
        }
        return nil
    }

    /// At the exit stop of a stepped call: once a descriptor landed on 0–2 (or
    /// dup2/dup3 ran) and every slot holds one its bytes are not read from, the
    /// task runs free again.
    func stdioStepEnded(_ task: TaskState, ret: Int64) {
        let dups = task.stdioStepDups
        task.stdioStepDups = false
        guard (0...2).contains(ret) || dups else { return }
        if stdioGuard.slotsFilled(pid: task.pid) {
            task.stdioSteps = 0
            if keepStats { count("stdio:slots filled again") }
        }
    }

    /// Interrupts every other traced task and waits until each has stopped (its
    /// stop is kept in `deferredWaits`, handled after) or cannot run: a dead
    /// leader waiting for its threads, a task held in a group-stop. False when
    /// one is still running after two seconds.
    func quiesceOthers(except task: TaskState) -> Bool {
        var waiting = Set(tasks.keys)
        waiting.remove(task.tid)
        if waiting.isEmpty { return true }
        for tid in waiting { cp_interrupt(tid) }
        let deadline = TraceClock.mono() &+ 2_000_000_000
        while !waiting.isEmpty {
            let w = cp_wait(-1, 1)
            if w.pid > 0 {
                deferredWaits.append(w)
                waiting.remove(w.pid)
                continue
            }
            if w.pid < 0 && w.err == ECHILD { return true }
            waiting = waiting.filter { !Self.cannotRun($0) }
            if waiting.isEmpty { break }
            if TraceClock.mono() > deadline { return false }
            usleep(50)
        }
        return true
    }

    /// With no stop left to report: stopped (t, T), dead (Z, X) or gone.
    static func cannotRun(_ tid: Int32) -> Bool {
        guard let b = ProcStatus.readFile("/proc/\(tid)/stat", limit: 1024),
              let close = b.lastIndex(of: UInt8(ascii: ")")), close + 2 < b.count else { return true }
        return [UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "Z"), UInt8(ascii: "X")].contains(b[close + 2])
    }

    /// At the entry of a call StdioGuard watches, in a process without the filter.
    func guardStdio(_ task: TaskState, _ name: String, arch: Arch, _ raw: [UInt64], _ args: [Arg]) -> GuardStep {
        let threads = threadsOf[task.pid] ?? 1
        guard !stdioGuard.carriesFilter(task.pid),
              let why = stdioGuard.threat(name: name, raw: raw, args: args, pid: task.pid, threads: threads) else {
            return .proceed
        }
        if StdioGuard.steppable(name, raw), arch == .x86_64, threads == 1 {
            // Shells close 1 and open or dup2 into it again; programs close 1
            // and 2 just before they exit. What comes next decides.
            task.stdioSteps = max(task.stdioSteps, 1)
            if keepStats { count("stdio:stepping after \(name)") }
            return .proceed
        }
        guard arch == .x86_64 else {
            sink.notice("pid \(task.pid) \(name) (\(arch.rawValue)) \(why); its writes to stdin, stdout and stderr cannot be made to stop through this ABI; denied")
            return .refuse
        }
        guard let reason = installStdioFilter(task, stats: name) else { return .done }
        sink.notice("pid \(task.pid) \(name) \(why), and its writes to stdin, stdout and stderr could not be made to stop (\(reason)); denied")
        return .refuse
    }
}
