// The event model: what an event source (live tracer or trace reader) hands
// to the engine. It knows nothing of ptrace; a replayed trace produces the
// same values as a live run.

/// One thing that happened in the traced tree.
public struct Event: Sendable, Equatable {
    /// Engine order: every event a source emits gets the next number.
    public var seq: UInt64
    /// Nanoseconds since the trace started (monotonic clock).
    public var mono: UInt64
    /// Nanoseconds since the Unix epoch.
    public var wall: UInt64
    /// Thread group id (the process).
    public var pid: Int32
    /// Thread id.
    public var tid: Int32
    public var kind: Kind
    /// The thread's user-space stack at the stop, when asked for (--stack).
    public var stack: [StackFrame]? = nil

    public enum Kind: Sendable, Equatable {
        // Spawn and exec are boxed: they are large and rare, and inline they would
        // make every event (syscalls included) as big to copy.
        /// A new process (fork, vfork, clone without CLONE_THREAD) or the root command.
        indirect case spawn(Spawn)
        /// A new thread in an existing process.
        case thread(ThreadStart)
        /// The process image was replaced; process state now describes the new program.
        indirect case exec(Exec)
        /// A thread or process ended.
        case exit(Exit)
        /// A signal was delivered to the task.
        case signal(SignalDelivery)
        /// A syscall at entry (`exit == nil`) or completed.
        case syscall(Syscall)
    }

    public init(seq: UInt64, mono: UInt64, wall: UInt64, pid: Int32, tid: Int32, kind: Kind) {
        self.seq = seq
        self.mono = mono
        self.wall = wall
        self.pid = pid
        self.tid = tid
        self.kind = kind
    }
}

public struct Spawn: Sendable, Equatable {
    public var ppid: Int32
    /// "root", "fork", "vfork" or "clone".
    public var via: String
    public var exe: String
    public var argv: [String]
    public var cwd: String
    public var uid: UInt32
    public var comm: String
    /// Terminal, session, capabilities: read from /proc when the process appeared.
    public var facts: ProcFacts
    public init(ppid: Int32, via: String, exe: String, argv: [String], cwd: String, uid: UInt32, comm: String,
                facts: ProcFacts = ProcFacts()) {
        self.ppid = ppid
        self.via = via
        self.exe = exe
        self.argv = argv
        self.cwd = cwd
        self.uid = uid
        self.comm = comm
        self.facts = facts
    }
}

/// Kernel facts about a process, taken at spawn and at each exec.
public struct ProcFacts: Sendable, Hashable {
    /// Controlling terminal (tty_nr), 0 without one.
    public var tty: Int32 = 0
    public var pgid: Int32 = 0
    /// Session id, 0 when the session's leader lies outside our pid namespace (as
    /// in a container or a CI runner whose session is the init's); -1 when not
    /// known (a process seen only in an strace log).
    public var sid: Int32 = -1
    public var capEffective: UInt64 = 0
    public var capPermitted: UInt64 = 0
    public var capInheritable: UInt64 = 0
    /// Audit login uid; -1 when unset.
    public var loginuid: Int64 = -1
    public init(tty: Int32 = 0, pgid: Int32 = 0, sid: Int32 = -1, capEffective: UInt64 = 0, capPermitted: UInt64 = 0,
                capInheritable: UInt64 = 0, loginuid: Int64 = -1) {
        self.tty = tty
        self.pgid = pgid
        self.sid = sid
        self.capEffective = capEffective
        self.capPermitted = capPermitted
        self.capInheritable = capInheritable
        self.loginuid = loginuid
    }
}

/// Which facts a live run reads from /proc at every spawn and exec besides those
/// it always reads (ppid, pgid, sid, tty and comm, from /proc/PID/stat). The rest
/// cost a file each (status is the dearest /proc file of a process): a run reads
/// them only when a loaded rule uses them or a trace keeps every fact; otherwise
/// a new process shows its parent's values and an exec keeps the old ones.
public struct ProcFactNeeds: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// uid and capabilities (/proc/PID/status).
    public static let credentials = ProcFactNeeds(rawValue: 1)
    /// The audit login uid (/proc/PID/loginuid).
    public static let loginuid = ProcFactNeeds(rawValue: 2)
    /// The controlling terminal (/proc/PID/stat, which a fork otherwise skips).
    public static let terminal = ProcFactNeeds(rawValue: 4)
    public static let all: ProcFactNeeds = [.credentials, .loginuid, .terminal]
}

/// One frame of a user-space stack, innermost first.
public struct StackFrame: Sendable, Equatable {
    public var pc: UInt64
    /// The mapped file holding `pc`, empty for anonymous memory (JIT, shellcode).
    public var module: String
    /// Offset of `pc` in `module` (file offset).
    public var moduleOffset: UInt64
    public var symbol: String
    /// Offset of `pc` from the start of `symbol`.
    public var offset: UInt64
    /// The module has no symbol table: `symbol` is only the nearest exported name.
    public var nearestExport: Bool

    public init(pc: UInt64, module: String, moduleOffset: UInt64, symbol: String, offset: UInt64, nearestExport: Bool) {
        self.pc = pc
        self.module = module
        self.moduleOffset = moduleOffset
        self.symbol = symbol
        self.offset = offset
        self.nearestExport = nearestExport
    }

    /// `module(symbol+0x1a) [0x7f…]`, strace -k style.
    public var text: String {
        let name = symbol.isEmpty ? "+0x" + String(moduleOffset, radix: 16) : symbol + "+0x" + String(offset, radix: 16)
        return "\(module.isEmpty ? "?" : module)(\(name))\(nearestExport ? " (nearest export)" : "") [0x\(String(pc, radix: 16))]"
    }
}

/// What an executable file is: from its bytes, not its name.
public struct BinaryInfo: Sendable, Hashable {
    /// Empty when no loaded rule and no trace asked for digests.
    public var sha256: String
    /// "elf64", "elf32", "script" or "data".
    public var format: String
    public var machine: String
    public var buildId: String
    public var isStatic: Bool
    public var stripped: Bool
    /// PT_INTERP for dynamic ELF files, the #! interpreter for scripts.
    public var interpreter: String
    /// Known miner and tunnel markers found in symbols or read-only strings.
    public var markers: [String]
    public var size: Int64

    public init(sha256: String, format: String, machine: String, buildId: String, isStatic: Bool, stripped: Bool,
                interpreter: String, markers: [String], size: Int64) {
        self.sha256 = sha256
        self.format = format
        self.machine = machine
        self.buildId = buildId
        self.isStatic = isStatic
        self.stripped = stripped
        self.interpreter = interpreter
        self.markers = markers
        self.size = size
    }
}

public struct ThreadStart: Sendable, Equatable {
    public var creator: Int32
    public init(creator: Int32) { self.creator = creator }
}

public struct Exec: Sendable, Equatable {
    /// Resolved executable (/proc/PID/exe after the exec).
    public var exe: String
    /// The path the program asked for, before resolution.
    public var path: String
    public var argv: [String]
    public var cwd: String
    public var comm: String
    /// Thread id that called execve when it was not the leader.
    public var formerTid: Int32?
    public var facts: ProcFacts
    /// Fingerprint of the image that now runs (/proc/PID/exe).
    public var binary: BinaryInfo?
    /// Fingerprint of the script file, when `path` was a #! script run by an interpreter.
    public var script: BinaryInfo?
    public init(exe: String, path: String, argv: [String], cwd: String, comm: String, formerTid: Int32? = nil,
                facts: ProcFacts = ProcFacts(), binary: BinaryInfo? = nil, script: BinaryInfo? = nil) {
        self.exe = exe
        self.path = path
        self.argv = argv
        self.cwd = cwd
        self.comm = comm
        self.formerTid = formerTid
        self.facts = facts
        self.binary = binary
        self.script = script
    }
}

public struct Exit: Sendable, Equatable {
    /// Exit code when the task exited normally.
    public var code: Int32?
    /// Signal number when it was killed.
    public var signal: Int32?
    public var core: Bool
    /// True when this ends the whole process (the last task of the group).
    public var processEnded: Bool
    public init(code: Int32?, signal: Int32?, core: Bool = false, processEnded: Bool) {
        self.code = code
        self.signal = signal
        self.core = core
        self.processEnded = processEnded
    }
}

public struct SignalDelivery: Sendable, Equatable {
    public var signal: Int32
    public var senderPid: Int32?
    public init(signal: Int32, senderPid: Int32?) {
        self.signal = signal
        self.senderPid = senderPid
    }
}

/// A decoded syscall.
public struct Syscall: Sendable, Equatable {
    public var name: String
    public var nr: Int32
    public var arch: Arch
    /// Decoded arguments in the kernel's order, named as in the man page.
    public var args: [Arg]
    /// Filled in once the syscall completed (exit stop), or when it was denied.
    public var exit: SyscallExit?
    /// Seq of the exit event, when one was observed separately from entry.
    public var exitSeq: UInt64?
    /// Something needed for a faithful decode could not be read from the tracee.
    public var unreadable: Bool
    /// The tracer refused this syscall (it never ran).
    public var denied: Bool
    /// A replayed line whose arguments are still text: `args` and `exit.out`
    /// are empty until `DeferredArgs.materialize` decodes them.
    public var deferred: DeferredArgs?

    public init(name: String, nr: Int32, arch: Arch, args: [Arg], exit: SyscallExit? = nil,
                exitSeq: UInt64? = nil, unreadable: Bool = false, denied: Bool = false) {
        self.name = name
        self.nr = nr
        self.arch = arch
        self.args = args
        self.exit = exit
        self.exitSeq = exitSeq
        self.unreadable = unreadable
        self.denied = denied
    }

    public func arg(_ name: String) -> ArgValue? {
        for a in args where a.name == name { return a.value }
        return nil
    }
}

public enum Arch: String, Sendable, Equatable {
    case x86_64
    case i386
    case x32
    case unknown
}

public struct SyscallExit: Sendable, Equatable {
    /// Raw return value (negative errno on failure).
    public var ret: Int64
    /// Values the kernel wrote back (accepted peer, pipe fds, …), decoded.
    public var out: [Arg]
    public init(ret: Int64, out: [Arg] = []) {
        self.ret = ret
        self.out = out
    }
    public var failed: Bool { ret < 0 && ret >= -4095 }
    public var errno: Int32? { failed ? Int32(-ret) : nil }
}

public struct Arg: Sendable, Hashable {
    public var name: String
    public var value: ArgValue
    public init(_ name: String, _ value: ArgValue) {
        self.name = name
        self.value = value
    }
}

/// A decoded argument value. Only the large descriptor case is boxed: boxing
/// every case cost one allocation per argument of every decoded event.
public enum ArgValue: Sendable, Hashable {
    case int(Int64)
    /// Addresses, sizes and raw words where the sign means nothing.
    case hex(UInt64)
    /// A string read from the tracee; `truncated` when it was longer than the read limit.
    case str(String, truncated: Bool)
    /// A path, already made absolute against the dirfd or cwd (`raw` is as passed).
    case path(String, raw: String)
    /// The first bytes of a buffer (payload sent, data written).
    case bytes([UInt8], total: Int)
    /// A bit set or enum decoded to names; `raw` keeps the value.
    case flags(UInt64, names: [String])
    case strings([String], truncated: Bool)
    case sockaddr(SockAddr)
    indirect case fd(Int32, FdInfo?)
    case fds([Int32])
    /// Memory at this address could not be read.
    case unreadable(UInt64)
    case list([ArgValue])
}

public struct SockAddr: Sendable, Hashable {
    public enum Family: String, Sendable, Equatable {
        case inet, inet6, unix, netlink, packet, vsock, unspec, other
    }
    public var family: Family
    /// IP address text, unix path, or "@name" for an abstract unix socket.
    public var address: String
    public var port: UInt16
    public var raw: Int32  // the numeric family
    public init(family: Family, address: String, port: UInt16 = 0, raw: Int32) {
        self.family = family
        self.address = address
        self.port = port
        self.raw = raw
    }
}

/// What a file descriptor refers to.
public struct FdInfo: Sendable, Hashable {
    public enum Kind: String, Sendable, Equatable {
        case file, directory, ipv4, ipv6, unix, netlink, socket, pipe, fifo
        case eventfd, signalfd, timerfd, eventpoll, inotify, memfd, pidfd, iouring, anon, device, unknown
    }
    public var kind: Kind
    /// File path, "pipe:[ino]", unix path, or the anon inode name.
    public var name: String
    public var local: SockAddr?
    public var remote: SockAddr?
    /// "tcp", "udp", "raw", "unix-stream", …
    public var proto: String?
    /// A unix socket's peer process (SO_PEERCRED, in agentwatch's pid namespace)
    /// and a socket's inode, as the live tracer read them; 0 when unknown. Not
    /// recorded: what they decide (whether bytes are read) is.
    public var peerPid: Int32 = 0
    public var inode: UInt64 = 0
    public init(kind: Kind, name: String, local: SockAddr? = nil, remote: SockAddr? = nil, proto: String? = nil) {
        self.kind = kind
        self.name = name
        self.local = local
        self.remote = remote
        self.proto = proto
    }
    public var isSocket: Bool {
        switch kind {
        case .ipv4, .ipv6, .unix, .netlink, .socket: return true
        default: return false
        }
    }
}
