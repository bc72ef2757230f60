// Most syscalls a build or an agent makes concern no rule, and they repeat:
// every cc1 opens the same headers, make writes the same lines. A rule's
// condition usually opens with tests of the syscall alone (the path list, the
// port, the open flags) and asks about the process only after them. When the
// syscall-only part turns away every rule that runs at a syscall's phase, the
// verdict is "nothing" for any process making that syscall with the same
// arguments and result: the memo remembers such syscalls, and the next one
// costs a lookup instead of the rules. An exec event counts the image it
// carries (path, argv, fingerprint) as its content: a shell loop runs the same
// program over and over.
//
// Unlike the verdict memo (replay only, keyed by the process's look too), this
// one needs nothing of the process, so it serves live tracing, where every
// process is new, as well as replay.

enum ContentGate {
    /// What else counts as the event's own content.
    enum Mode {
        case syscall
        /// An exec's entry: the process fields show the path and argv being
        /// exec'd (see `execViewIsComplete` for when they really do).
        case execEntry
        /// The exec event: the process now runs the image the event carries,
        /// and those fields are all the event's (ProcessTable.apply copies them).
        case execImage
    }

    /// Whether a field's value is a function of the syscall's own content
    /// (number, ABI, arguments as decoded, result), whichever process makes it.
    static func isContent(_ field: String, _ mode: Mode = .syscall) -> Bool {
        switch mode {
        case .syscall: break
        case .execEntry: if execViewFields.contains(field) { return true }
        case .execImage: if execViewFields.contains(field) || imageFields.contains(field) { return true }
        }
        // Names learnt from DNS answers change while the tree runs: keys then hold the table's generation.
        return contentFields.contains(field) || hostnameFields.contains(field)
    }

    /// The syscall's own fields: descriptor fields come from the descriptor it
    /// names, as decoded into its arguments. A field not listed here (a new one
    /// too) keeps a condition out of the gate.
    static let contentFields: Set<String> = [
        "evt.type", "evt.dir", "evt.arch", "evt.res", "evt.rawres", "evt.failed", "evt.buffer",
        "evt.arg", "evt.rawarg", "evt.args", "evt.is_open_read", "evt.is_open_write",
        "fd.num", "fd.type", "fd.typechar", "fd.name", "fd.nameraw", "fd.directory", "fd.filename",
        "fd.sip", "fd.sport", "fd.cip", "fd.cport", "fd.rip", "fd.rport", "fd.lip", "fd.lport", "fd.ip", "fd.port",
        "fd.net", "fd.snet", "fd.cnet", "fd.rnet", "fd.lnet", "fd.connected", "fd.name_changed", "fd.sni",
        "fd.dns.query", "fd.l4proto", "fd.sockfamily", "fd.sendbytes",
    ]

    /// Process fields EvalContext takes from execve's arguments at its entry.
    static let execViewFields: Set<String> = ["proc.name", "proc.exe", "proc.exepath", "proc.cmdline", "proc.args",
                                              "proc.is_exe_from_memfd"]

    /// Process fields an exec event sets from what it carries: the image's fingerprint and the working directory.
    static let imageFields: Set<String> = ["proc.exe.sha256", "proc.exe.buildid", "proc.exe.format", "proc.exe.machine",
                                           "proc.exe.static", "proc.exe.stripped", "proc.exe.markers", "proc.is_script",
                                           "proc.script.sha256", "proc.cwd"]

    /// Fields that read an argument's raw value, pointers included: for the
    /// others, two syscalls whose pointers differ (envp, a stack) are alike.
    static let rawArgumentFields: Set<String> = ["evt.arg", "evt.rawarg", "evt.args", "evt.is_open_read", "evt.is_open_write"]

    static let hostnameFields: Set<String> = ["fd.sip.name", "fd.cip.name", "fd.rip.name", "fd.lip.name"]

    /// Whether the process view of an exec's entry is all the syscall's: the
    /// path and argv decoded, so EvalContext shows them instead of the record.
    static func execViewIsComplete(_ sc: Syscall) -> Bool {
        guard case .path? = sc.arg("pathname") ?? sc.arg("filename") ?? sc.arg("path"),
              case .strings? = sc.arg("argv") else { return false }
        return true
    }

    /// Every leaf reads content, none compares with another field or an earlier step.
    static func isContentOnly(_ e: RExpr, _ mode: Mode = .syscall) -> Bool {
        var pure = true
        TypeAnalysis.walk(e) { l in
            if l.dynamic || !isContent(l.field.spec.name, mode) { pure = false }
        }
        return pure
    }

    /// `e` as `gate and rest`, the gate reading content only; nil when no part
    /// of `e` can be decided by content alone. Conditions have no side effects,
    /// so conjuncts may be taken in any order.
    static func split(_ e: RExpr, _ mode: Mode = .syscall) -> (gate: RExpr, rest: RExpr)? {
        if case .constant = e { return nil }
        if isContentOnly(e, mode) { return (e, .constant(true)) }
        var gate: [RExpr] = [], rest: [RExpr] = []
        for x in conjuncts(e) {
            if isContentOnly(x, mode) { gate.append(x) } else { rest.append(x) }
        }
        guard !gate.isEmpty else { return nil }
        return (gate.count == 1 ? gate[0] : .and(gate), rest.count == 1 ? rest[0] : .and(rest))
    }

    private static func conjuncts(_ e: RExpr) -> [RExpr] {
        guard case .and(let xs) = e else { return [e] }
        return xs.flatMap(conjuncts)
    }
}

/// Events (by plan, phase and content) whose every rule was turned away by its gate.
final class ContentMemo {
    enum Key: Hashable {
        case syscall(SyscallKey)
        case exec(ExecKey)
    }

    struct SyscallKey: Hashable {
        let plan: Int32
        let nr: Int32
        /// Phase, arch, unreadable, denied.
        let flags: UInt32
        let ret: Int64
        /// Pointer values zeroed unless a gate reads raw arguments.
        let args: [Arg]
        let out: [Arg]
        /// The generation of names learnt from DNS, when a gate reads them; else 0.
        let hostnames: Int
    }

    /// What a phase's gates read besides the syscall's text.
    struct KeyNeeds {
        /// Raw argument values: pointers count.
        var pointers = false
        var hostnames = false

        mutating func add(_ gate: RExpr) {
            TypeAnalysis.walk(gate) { l in
                if ContentGate.rawArgumentFields.contains(l.field.spec.name) { pointers = true }
                if ContentGate.hostnameFields.contains(l.field.spec.name) { hostnames = true }
            }
        }
    }

    /// An exec event: the image it carries, as the process now runs it.
    struct ExecKey: Hashable {
        let plan: Int32
        let exe: String
        let path: String
        let argv: [String]
        let cwd: String
        let comm: String
        let binary: BinaryInfo?
        let script: BinaryInfo?
        let hostnames: Int
    }

    /// Events remembered at most; the memo starts over when full.
    static let capacity = 4096
    private var seen = Set<Key>()
    private(set) var hits = 0
    private(set) var misses = 0

    func contains(_ k: Key) -> Bool {
        let hit = seen.contains(k)
        if hit { hits += 1 } else { misses += 1 }
        return hit
    }

    func insert(_ k: Key) {
        if seen.count >= Self.capacity { seen.removeAll(keepingCapacity: true) }
        seen.insert(k)
    }

    /// The key of an event at a phase of plan `plan`; nil when its content does
    /// not decide what the gates see: an exec's entry whose path or argv could
    /// not be read shows the caller's process fields instead.
    static func key(plan: Int, _ e: Event, phase: EventPhase, execEntry: Bool, needs: KeyNeeds, hostnames: Int) -> Key? {
        let plan = Int32(truncatingIfNeeded: plan)
        let generation = needs.hostnames ? hostnames : 0
        switch e.kind {
        case .syscall(let sc):
            if execEntry && !ContentGate.execViewIsComplete(sc) { return nil }
            let exit = phase == .exit ? sc.exit : nil
            let flags = VerdictMemo.flagBits(exit: exit != nil, arch: sc.arch, unreadable: sc.unreadable, denied: sc.denied)
            return .syscall(SyscallKey(plan: plan, nr: sc.nr, flags: flags, ret: exit?.ret ?? 0,
                                       args: needs.pointers ? sc.args : withoutPointers(sc.args), out: exit?.out ?? [],
                                       hostnames: generation))
        case .exec(let x):
            return .exec(ExecKey(plan: plan, exe: x.exe, path: x.path, argv: x.argv, cwd: x.cwd, comm: x.comm,
                                 binary: x.binary, script: x.script, hostnames: generation))
        default:
            return nil
        }
    }

    /// `args` with every pointer value zeroed; the same array when there is none (most syscalls).
    static func withoutPointers(_ args: [Arg]) -> [Arg] {
        func hasPointer(_ v: ArgValue) -> Bool {
            switch v {
            case .hex: return true
            case .list(let xs): return xs.contains(where: hasPointer)
            default: return false
            }
        }
        func zeroed(_ v: ArgValue) -> ArgValue {
            switch v {
            case .hex: return .hex(0)
            case .list(let xs): return .list(xs.map(zeroed))
            default: return v
            }
        }
        guard args.contains(where: { hasPointer($0.value) }) else { return args }
        return args.map { Arg($0.name, zeroed($0.value)) }
    }
}
