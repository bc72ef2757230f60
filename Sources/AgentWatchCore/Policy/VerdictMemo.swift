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
    /// Arguments read as such (evt.arg, evt.rawarg, evt.args, the open mode):
    /// pointer values count. Otherwise only the argument text's shape does
    /// (DeferredArgs.shapeID): envp and stack pointers differ on every exec.
    var rawArgs = false
}

enum MemoFields {
    /// `arguments`: the syscall's own text, pointer values included.
    enum Need { case content, arguments, process, ancestry, hostnames, unsafe }

    /// What a field's value depends on. Unknown fields are unsafe.
    static func need(_ field: String) -> Need {
        switch field {
        case "evt.arg", "evt.rawarg", "evt.args", "evt.is_open_read", "evt.is_open_write":
            return .arguments
        case "evt.type", "evt.dir", "evt.arch", "evt.res", "evt.rawres", "evt.failed", "evt.buffer",
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
            case .arguments: n.rawArgs = true
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

    /// Exec paths as the programs gave them, numbered for exec events' keys
    /// (never reused: the table starts over with fresh numbers when full).
    private var paths: [String: Int] = [:]
    private var nextPath = 1
    static let maxPaths = 4096

    func pathID(_ path: String) -> Int {
        if let known = paths[path] { return known }
        if paths.count >= Self.maxPaths { paths.removeAll(keepingCapacity: true) }
        defer { nextPath += 1 }
        paths[path] = nextPath
        return nextPath
    }

    /// Flags of an exec event's key: no syscall line has them.
    static let execFlags: UInt32 = 1 << 8

    /// Open addressing with linear probing, half full at most: a lookup per
    /// syscall view is the replay's hottest path, too hot for a Set's SipHash.
    private var slots: [Key?] = Array(repeating: nil, count: 1024)
    private var count = 0
    private var mask = 1023
    /// Lines remembered at most; the memo starts over when full.
    static let capacity = 1 << 16
    private(set) var hits = 0
    private(set) var misses = 0

    func contains(_ k: Key, countingMiss: Bool = true) -> Bool {
        var i = Self.slot(k) & mask
        while let s = slots[i] {
            if s == k {
                hits += 1
                return true
            }
            i = (i + 1) & mask
        }
        if countingMiss { misses += 1 }
        return false
    }

    func insert(_ k: Key) {
        if count >= Self.capacity {
            slots = Array(repeating: nil, count: slots.count)
            count = 0
        } else if count * 2 >= slots.count {
            let old = slots
            slots = Array(repeating: nil, count: slots.count * 2)
            mask = slots.count - 1
            count = 0
            for case let k? in old { insert(k) }
        }
        var i = Self.slot(k) & mask
        while let s = slots[i] {
            if s == k { return }
            i = (i + 1) & mask
        }
        slots[i] = k
        count += 1
    }

    private static func slot(_ k: Key) -> Int {
        @inline(__always) func mix(_ h: UInt64, _ v: UInt64) -> UInt64 {
            let m = (h ^ v) &* 0x9E37_79B9_7F4A_7C15
            return m ^ (m >> 29)
        }
        var h = UInt64(UInt32(bitPattern: k.plan)) | UInt64(UInt32(bitPattern: k.nr)) << 32
        h = mix(h, UInt64(k.flags))
        h = mix(h, UInt64(bitPattern: k.ret))
        h = mix(h, UInt64(bitPattern: Int64(k.args)))
        h = mix(h, UInt64(bitPattern: Int64(k.out)))
        h = mix(h, UInt64(bitPattern: Int64(k.process)))
        h = mix(h, UInt64(bitPattern: Int64(k.hostnames)))
        return Int(truncatingIfNeeded: h)
    }

    /// What a key is made of: a syscall line's fields and its texts' numbers.
    struct Line {
        let nr: Int32
        let arch: Arch
        let unreadable: Bool
        let denied: Bool
        /// Nil for a syscall that did not return.
        let ret: Int64?
        let argsID: Int
        /// The arguments' text with pointer values left out (DeferredArgs.shapeID).
        let shapeID: Int
        let outID: Int
        let pid: Int32
        let tid: Int32
    }

    /// The phase, ABI and the unreadable and denied marks of a syscall, as one key field (both memos').
    static func flagBits(exit: Bool, arch: Arch, unreadable: Bool, denied: Bool) -> UInt32 {
        let archBits: UInt32
        switch arch {
        case .x86_64: archBits = 0
        case .i386: archBits = 1
        case .x32: archBits = 2
        case .unknown: archBits = 3
        }
        return (exit ? 1 : 0) | archBits << 1 | (unreadable ? 8 : 0) | (denied ? 16 : 0)
    }

    /// The process part of a key: the look, or the lineage when ancestors are read.
    static func processID(_ r: ProcessRecord, ancestry: Bool, _ processes: ProcessTable) -> Int {
        ancestry ? processes.lineageID(r) : processes.lookID(r)
    }

    static func key(plan: Int, _ line: Line, phase: EventPhase, needs: MemoNeeds, processes: ProcessTable) -> Key {
        let flags = flagBits(exit: phase == .exit, arch: line.arch, unreadable: line.unreadable, denied: line.denied)
        let atExit = phase == .exit && line.ret != nil
        var process = 0
        if needs.process {
            let rec = processes.process(line.pid) ?? processes.processOfThread(line.tid)
            if let r = rec { process = processID(r, ancestry: needs.ancestry, processes) }
        }
        return Key(plan: Int32(truncatingIfNeeded: plan), nr: line.nr, flags: flags, ret: atExit ? line.ret ?? 0 : 0,
                   args: needs.rawArgs ? line.argsID : line.shapeID, out: atExit ? line.outID : 0, process: process,
                   hostnames: needs.hostnames ? processes.hostnames.generation : 0)
    }
}
