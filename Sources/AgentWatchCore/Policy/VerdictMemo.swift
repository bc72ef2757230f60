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
    struct Key: Hashable {
        let bytes: [UInt8]
        let hash: Int
        func hash(into h: inout Hasher) { h.combine(hash) }
        static func == (a: Key, b: Key) -> Bool { a.hash == b.hash && a.bytes == b.bytes }
    }

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

    /// The key of a deferred syscall line at one phase: everything the
    /// decoded syscall would hold (the result only at exit), then what the
    /// plan's rules read besides it.
    static func key(_ sc: Syscall, _ d: DeferredArgs, phase: EventPhase, needs: MemoNeeds, event e: Event,
                    processes: ProcessTable) -> Key {
        var b: [UInt8] = []
        b.reserveCapacity(d.args.count + d.out.count + sc.name.utf8.count + 64)
        b.append(phase == .entry ? 0 : 1)
        b.append(contentsOf: sc.name.utf8)
        b.append(0)
        append(Int64(sc.nr), &b)
        b.append(contentsOf: sc.arch.rawValue.utf8)
        b.append(0)
        b.append(sc.unreadable ? 1 : 0)
        b.append(sc.denied ? 1 : 0)
        if phase == .exit, let x = sc.exit {
            append(x.ret, &b)
            append(Int64(d.out.count), &b)
            b.append(contentsOf: d.out)
        }
        if needs.process {
            let rec = processes.process(e.pid) ?? processes.processOfThread(e.tid)
            append(Int64(rec.map(processes.lookID) ?? 0), &b)
            if needs.ancestry, let r = rec {
                // The chain EvalContext walks: the parent (by pointer, else by ppid), then parent pointers.
                var cur = r.parent ?? processes.process(r.ppid)
                var n = 0
                while let p = cur, n < 65 {
                    append(Int64(processes.lookID(p)), &b)
                    cur = p.parent
                    n += 1
                }
                append(-1, &b)
            }
        }
        if needs.hostnames { append(Int64(processes.hostnames.generation), &b) }
        b.append(contentsOf: d.args)
        let hash = b.withUnsafeBytes { raw -> Int in
            var h = Hasher()
            h.combine(bytes: raw)
            return h.finalize()
        }
        return Key(bytes: b, hash: hash)
    }

    private static func append(_ v: Int64, _ b: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { b.append(contentsOf: $0) }
    }
}
