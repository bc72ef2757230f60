// A long trace says the same thing many times: every cc1 opens the same
// headers, an agent polls the same files. When the rules of a syscall read
// nothing but the syscall's own text and what a process looks like, the
// verdict of a line repeats with it. The memo remembers the lines that matched
// nothing, keyed by their exact text and the look of the process (and of its
// ancestors, when a rule reads them), so replay can answer them without
// decoding a byte of their arguments.
//
// Only "nothing matched" is remembered: an alert is always evaluated in full,
// and a line whose rules read ids, times or anything else a key cannot hold
// is never memoised (see MemoFields).

/// What a plan's verdict depends on besides the syscall's own text.
struct MemoNeeds: Equatable {
    /// The process's look (ProcessTable.lookID).
    var process = false
    /// The looks of its parent and every ancestor.
    var ancestry = false
    /// Names learnt from DNS answers (fd.sip.name…).
    var hostnames = false
    /// Sequence rules with a later step at this syscall and phase: a partial
    /// match may advance, so the memo holds only while they track nothing.
    var idleTrackers: [Int] = []
}

enum MemoFields {
    enum Need { case content, process, ancestry, hostnames, unsafe }

    /// What a field's value depends on. Unknown fields are unsafe.
    static func need(_ field: String) -> Need {
        switch field {
        case "evt.type", "evt.dir", "evt.arch", "evt.res", "evt.rawres", "evt.failed", "evt.arg", "evt.rawarg",
             "evt.args", "evt.buffer", "evt.is_open_read", "evt.is_open_write",
             "container.id", "container.name", "container.image.repository", "container.image", "container.image.tag",
             "container.privileged", "proc.is_exe_writable":
            return .content
        case "fd.sip.name", "fd.cip.name", "fd.rip.name", "fd.lip.name":
            return .hostnames
        case "proc.name", "proc.exe", "proc.exepath", "proc.cmdline", "proc.args", "proc.cwd", "proc.sid", "proc.tty",
             "proc.is_exe_from_memfd", "proc.exe.sha256", "proc.exe.buildid", "proc.exe.format", "proc.exe.machine",
             "proc.exe.static", "proc.exe.stripped", "proc.exe.markers", "proc.is_script", "proc.script.sha256",
             "thread.cap_effective", "thread.cap_permitted", "thread.cap_inheritable", "proc.pgid", "proc.vpgid",
             "proc.is_exe_upper_layer", "proc.is_exe_lower_layer", "user.loginuid", "user.loginname", "user.uid",
             "user.name":
            return .process
        case "proc.pname", "proc.pcmdline", "proc.pexe", "proc.pexepath", "proc.aname", "proc.aexepath", "proc.aexe":
            return .ancestry
        default:
            // Descriptor fields come from the syscall's own arguments, names of hosts excepted.
            return field.hasPrefix("fd.") ? .content : .unsafe
        }
    }

    /// What the conditions depend on, or nil when a key cannot hold it (an id,
    /// a time, a value computed from another field or an earlier step).
    static func needs(of exprs: [RExpr], into n: inout MemoNeeds) -> Bool {
        for e in exprs where !add(e, &n) { return false }
        return true
    }

    private static func add(_ e: RExpr, _ n: inout MemoNeeds) -> Bool {
        switch e {
        case .and(let xs), .or(let xs):
            for x in xs where !add(x, &n) { return false }
            return true
        case .not(let x):
            return add(x, &n)
        case .constant:
            return true
        case .leaf(let leaf):
            if leaf.dynamic { return false }
            switch need(leaf.field.spec.name) {
            case .content: break
            case .process: n.process = true
            case .ancestry: n.process = true; n.ancestry = true
            case .hostnames: n.hostnames = true
            case .unsafe: return false
            }
            return true
        }
    }
}

final class VerdictMemo {
    /// A line at one phase: the numbers of its texts (see TextInterner) and
    /// everything else the decoded syscall holds (the result only at exit),
    /// then what the plan's rules read besides it.
    struct Key: Hashable {
        let plan: Int32
        let nr: Int32
        /// Phase, arch, unreadable, denied.
        let flags: UInt32
        let ret: Int64
        let args: Int
        let out: Int
        /// The process's look, or its lineage when ancestors are read; 0 when neither is.
        let process: Int
        let hostnames: Int
    }

    /// Flags of an exec event's key: no syscall line has them.
    static let execFlags: UInt32 = 1 << 8

    private var clean = Set<Key>()
    /// Lines remembered at most; the memo starts over when full.
    static let capacity = 1 << 16
    private(set) var hits = 0
    private(set) var misses = 0

    func contains(_ k: Key) -> Bool {
        if clean.contains(k) {
            hits += 1
            return true
        }
        misses += 1
        return false
    }

    func insert(_ k: Key) {
        if clean.count >= Self.capacity { clean.removeAll(keepingCapacity: true) }
        clean.insert(k)
    }

    static func key(plan: Int, _ sc: Syscall, _ d: DeferredArgs, phase: EventPhase, needs: MemoNeeds, event e: Event,
                    processes: ProcessTable) -> Key {
        let archBits: UInt32
        switch sc.arch {
        case .x86_64: archBits = 0
        case .i386: archBits = 1
        case .x32: archBits = 2
        case .unknown: archBits = 3
        }
        let flags = (phase == .entry ? 0 : 1) | archBits << 1 | (sc.unreadable ? 8 : 0) | (sc.denied ? 16 : 0)
        let atExit = phase == .exit ? sc.exit : nil
        var process = 0
        if needs.process {
            let rec = processes.process(e.pid) ?? processes.processOfThread(e.tid)
            if let r = rec {
                process = needs.ancestry ? processes.lineageID(r) : processes.lookID(r)
            }
        }
        return Key(plan: Int32(truncatingIfNeeded: plan), nr: sc.nr, flags: flags, ret: atExit?.ret ?? 0, args: d.argsID,
                   out: atExit == nil ? 0 : d.outID, process: process,
                   hostnames: needs.hostnames ? processes.hostnames.generation : 0)
    }
}
