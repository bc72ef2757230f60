// The policy engine: indexes compiled rules by syscall and evaluates events.
//
// Event → phase: a `.syscall` without `exit` is the entry; with `exit` it is
// the exit. An `.exec` event is execve's successful exit (the new image is in
// the process table), so a successful execve `.syscall` exit is ignored to
// avoid seeing it twice. Denied syscalls are not evaluated at exit: they
// never ran. Each rule runs at exactly one phase per syscall: exit when it
// needs the result (see `needsExit`), entry otherwise.

public struct RuleMatch: Sendable {
    public let rule: String
    public let priority: Priority
    public let action: PolicyAction
    public let errno: Int32
    public let scope: KillScope
    public let tags: [String]
    /// The rule's output with %fields filled in.
    public let output: String
    /// Fields the rule's condition and output use, with their values (`<NA>` when missing).
    public let fields: [(String, String)]
    /// Seq of the event that fired the rule.
    public let seq: UInt64
    public let pid: Int32
    public let tid: Int32
    public let phase: EventPhase
    public let syscall: String
    /// For sequence rules: seq of the event that matched each step.
    public let stepSeqs: [UInt64]
}

public final class PolicyEngine {
    public let policies: PolicySet
    private let rules: [CompiledRule]
    private var byType: [String: [Int]] = [:]
    /// Rules whose evt.type set is open-ended (`evt.type != x`, no evt.type test).
    private var openEnded: [Int] = []
    private var trackers: [Int: SequenceTracker] = [:]
    /// Per syscall: rules to run at entry and at exit, each with its condition
    /// specialized to that syscall and phase. Filled on first sight of a name.
    private var plan: [String: Plan] = [:]
    /// Deferred replay lines known to match nothing (see VerdictMemo).
    let memo = VerdictMemo()
    /// The key `knownClean` missed on, remembered until that event is evaluated.
    private var pendingKey: (seq: UInt64, phase: EventPhase, key: VerdictMemo.Key)?
    /// Results of path tests per descriptor, shared by every specialized condition.
    private let fdMemo = FdMemo()
    /// Field values of the event being evaluated, shared by every specialized condition.
    private let fieldCache = FieldValueCache()
    /// Syscalls every rule's gate turned away (see ContentMemo).
    let contentMemo = ContentMemo()

    struct PlannedRule {
        let index: Int
        /// Nil for a sequence rule: its tracker is fed instead.
        let predicate: Predicate?
        /// The part of the condition that reads the syscall alone (ContentGate):
        /// false means the rule cannot match, and `predicate` is the rest.
        /// For a sequence, false means its first step cannot match here.
        var gate: Predicate? = nil
        /// A sequence with a later step here: turned away only while it tracks
        /// nothing, since a partial match could advance whatever the syscall is.
        var whileIdle = false
    }

    /// A class: the fast lane holds one per syscall and hands it over per line without copying its lists.
    /// Its fields are constants: read per line, they need no exclusivity checks.
    final class Plan {
        /// Tells plans apart in the verdict memo's keys.
        let id: Int
        /// execve or execveat: a successful exit is the exec event instead.
        let isExec: Bool
        let entry: [PlannedRule]
        let exit: [PlannedRule]
        /// What each phase's verdict depends on; nil where it cannot be memoised.
        let entryMemo: MemoNeeds?
        let exitMemo: MemoNeeds?
        /// Every rule of the phase has a gate: the content memo can answer for it.
        let entryGated: Bool
        let exitGated: Bool
        /// What the phase's gates read besides the syscall's text.
        let entryKey: ContentMemo.KeyNeeds
        let exitKey: ContentMemo.KeyNeeds
        /// Sequences whose gate holds only while they are idle, per phase.
        let entryWhileIdle: [Int]
        let exitWhileIdle: [Int]
        /// execve's exit rules as exec events run them: gated on the image the
        /// event carries too (empty for other syscalls).
        let execImage: [PlannedRule]
        let execImageKey: ContentMemo.KeyNeeds
        let execImageGated: Bool
        let execImageWhileIdle: [Int]

        init(id: Int, isExec: Bool, entry: [PlannedRule], exit: [PlannedRule], entryMemo: MemoNeeds?, exitMemo: MemoNeeds?,
             entryKey: ContentMemo.KeyNeeds, exitKey: ContentMemo.KeyNeeds,
             execImage: [PlannedRule] = [], execImageKey: ContentMemo.KeyNeeds = ContentMemo.KeyNeeds()) {
            self.id = id
            self.isExec = isExec
            self.entry = entry
            self.exit = exit
            self.entryMemo = entryMemo
            self.exitMemo = exitMemo
            entryGated = entry.allSatisfy { $0.gate != nil }
            exitGated = exit.allSatisfy { $0.gate != nil }
            self.entryKey = entryKey
            self.exitKey = exitKey
            entryWhileIdle = entry.filter(\.whileIdle).map(\.index)
            exitWhileIdle = exit.filter(\.whileIdle).map(\.index)
            self.execImage = execImage
            self.execImageKey = execImageKey
            execImageGated = !execImage.isEmpty && execImage.allSatisfy { $0.gate != nil }
            execImageWhileIdle = execImage.filter(\.whileIdle).map(\.index)
        }
    }

    public init(policies: PolicySet) {
        self.policies = policies
        rules = policies.rules
        for (i, r) in rules.enumerated() {
            if r.eventTypes.complement {
                openEnded.append(i)
            } else {
                for n in r.eventTypes.names { byType[n, default: []].append(i) }
            }
            if let s = r.sequence { trackers[i] = SequenceTracker(s, fields: r.fields) }
        }
    }

    /// Syscalls named by some rule. See `tracesAllSyscalls` for rules that name none.
    public var tracedSyscalls: Set<String> { Set(byType.keys) }

    /// Syscalls some rule can match when made natively (x86_64): what the
    /// prefilter must stop on natively (foreign-arch calls always stop).
    public var nativeSyscalls: Set<String> {
        rules.reduce(into: Set<String>()) { out, r in
            // Open-ended rules (any syscall, or all but some) make the tracer stop on everything instead.
            if !r.eventTypes.complement { out.formUnion(r.nativeTypes ?? r.eventTypes.names) }
        }
    }

    /// Rules that could match an open(at) of a directory, by name: while there are
    /// none, the prefilter lets directory opens through without a stop.
    public var rulesMatchingDirectoryOpens: [String] {
        rules.filter { r in
            PrefilterAnalysis.directoryOpenSyscalls.contains { r.eventTypes.contains($0) } && r.mayMatchDirectoryOpen
        }.map(\.name)
    }

    /// A native clone may run without a stop when its flags hold none of these
    /// (the tracer adds the ones it needs itself); nil while some rule must see
    /// every clone.
    public var cloneStopFlags: UInt64? {
        var flags: UInt64 = 0
        for r in rules where r.eventTypes.contains("clone") && r.nativeTypes?.contains("clone") != false {
            guard let f = r.cloneStopFlags else { return nil }
            flags |= f
        }
        return flags
    }

    /// Some rule names hosts (fd.sip.name…): the DNS answers the tree receives must be seen.
    public private(set) lazy var usesHostnames: Bool = rules.contains { r in
        r.fieldNames.contains { $0.hasPrefix("fd.") && $0.hasSuffix(".name") && $0 != "fd.name" }
    }

    /// Syscalls that carry DNS answers back to the program.
    public static let dnsReceiveSyscalls: Set<String> = ["recvfrom", "recvmsg"]

    /// True when some rule can match any syscall, so every syscall must be traced.
    public var tracesAllSyscalls: Bool { !openEnded.isEmpty }

    /// Whether some rule evaluates this syscall at exit (the tracer must stop there).
    public func needsExit(_ syscall: String) -> Bool {
        candidates(syscall).contains { rules[$0].needsExit(syscall) }
    }

    /// Whether the tracer must stop at this syscall's exit for the rules. A successful
    /// execve's exit is the exec event, which always comes: only rules that look at
    /// a failed exec (evt.res, evt.failed…) need the syscall's own exit stop.
    public func needsExitStop(_ syscall: String) -> Bool {
        guard syscall == "execve" || syscall == "execveat" else { return needsExit(syscall) }
        return candidates(syscall).contains { i in
            let r = rules[i]
            if let s = r.sequence { return s.steps.contains { $0.types.contains(syscall) && $0.timing.exitAlways } }
            return r.timing.exitAlways
        }
    }

    /// Whether some rule evaluates this syscall at entry.
    public func needsEntry(_ syscall: String) -> Bool {
        candidates(syscall).contains { i in
            let r = rules[i]
            if let s = r.sequence { return s.steps.contains { $0.runs(syscall, .entry) } }
            return !r.timing.needsExit(syscall)
        }
    }

    /// Rules that can match a syscall, for tools that explain policies.
    public func rules(for syscall: String) -> [CompiledRule] { candidates(syscall).map { rules[$0] } }

    private func candidates(_ syscall: String) -> [Int] {
        let fixed = byType[syscall] ?? []
        let open = openEnded.filter { rules[$0].eventTypes.contains(syscall) }
        if open.isEmpty { return fixed }
        return (fixed + open).sorted()
    }

    /// For a replayed line whose arguments are still text (`Syscall.deferred`):
    /// true when no rule can match it, because no rule runs there or because the
    /// same text from a process that looks the same matched nothing before.
    /// On false, materialize the event and `evaluate` it.
    public func knownClean(_ e: Event, processes: ProcessTable) -> Bool {
        if case .exec(let x) = e.kind { return knownCleanExec(e, x, processes) }
        guard case .syscall(let sc) = e.kind, let d = sc.deferred else { return false }
        guard let (name, phase) = Self.target(e) else { return true }
        let line = VerdictMemo.Line(nr: sc.nr, arch: sc.arch, unreadable: sc.unreadable, denied: sc.denied,
                                    ret: sc.exit?.ret, argsID: d.argsID, shapeID: d.shapeID, outID: d.outID, pid: e.pid, tid: e.tid)
        switch memoAnswer(line, planFor(name), phase, processes) {
        case .clean: return true
        case .unknown: return false
        case .miss(let key):
            pendingKey = (e.seq, phase, key)
            return false
        }
    }

    /// `knownClean` for a line no event was made of yet (replay's fast lane):
    /// both views, entry then exit, with nothing in between. False leaves no
    /// trace: the line then goes the ordinary way.
    /// `plan` is `plan(for: line.name)`, looked up once per name by the caller.
    func knownClean(line: VerdictMemo.Line, plan: Plan, entry: Bool, exit: Bool, processes: ProcessTable) -> Bool {
        if entry {
            guard case .clean = memoAnswer(line, plan, .entry, processes, counting: false) else { return false }
        }
        guard exit, let ret = line.ret else { return true }
        // A successful execve's exit is the exec event, seen on its own.
        if plan.isExec, !(ret < 0 && ret >= -4095) { return true }
        guard case .clean = memoAnswer(line, plan, .exit, processes, counting: false) else { return false }
        return true
    }

    /// The rules a syscall runs, by name (see knownClean(line:plan:…)).
    func plan(for name: String) -> Plan { planFor(name) }

    private enum MemoAnswer {
        case clean
        /// Not memoisable here.
        case unknown
        case miss(VerdictMemo.Key)
    }

    private func memoAnswer(_ line: VerdictMemo.Line, _ p: Plan, _ phase: EventPhase, _ processes: ProcessTable,
                            counting: Bool = true) -> MemoAnswer {
        if (phase == .exit ? p.exit : p.entry).isEmpty { return .clean }
        guard let needs = memoNeeds(p, phase) else { return .unknown }
        let key = VerdictMemo.key(plan: p.id, line, phase: phase, needs: needs, processes: processes)
        return memo.contains(key, countingMiss: counting) ? .clean : .miss(key)
    }

    /// What a phase's verdict depends on, when the memo may answer for it now:
    /// not while a sequence whose later step runs there holds partial matches.
    private func memoNeeds(_ p: Plan, _ phase: EventPhase) -> MemoNeeds? {
        guard let needs = phase == .exit ? p.exitMemo : p.entryMemo else { return nil }
        for i in needs.idleTrackers where trackers[i]?.isIdle == false { return nil }
        return needs
    }

    /// An exec event (apply it first): everything the rules see of it is in the
    /// process's look now (image, argv, cwd, facts, fingerprints), except the
    /// path as the program gave it.
    private func knownCleanExec(_ e: Event, _ x: Exec, _ processes: ProcessTable) -> Bool {
        let p = planFor("execve")
        if p.exit.isEmpty { return true }
        guard let needs = memoNeeds(p, .exit),
              let rec = processes.process(e.pid) ?? processes.processOfThread(e.tid) else { return false }
        // The image and argv the rules see are the record's now: its look is always part of the key.
        let key = VerdictMemo.Key(plan: Int32(truncatingIfNeeded: p.id), nr: -1, flags: VerdictMemo.execFlags, ret: 0,
                                  args: memo.pathID(x.path), out: 0,
                                  process: VerdictMemo.processID(rec, ancestry: needs.ancestry, processes),
                                  hostnames: needs.hostnames ? processes.hostnames.generation : 0)
        if memo.contains(key) { return true }
        pendingKey = (e.seq, .exit, key)
        return false
    }

    /// Evaluates one event (apply it to `processes` first). Matches come in rule order.
    public func evaluate(_ e: Event, processes: ProcessTable) -> [RuleMatch] {
        if case .syscall(let sc) = e.kind, sc.deferred != nil {
            // Callers materialize (and report a line that does not decode); this keeps the rules from ever seeing an empty one.
            guard let full = try? e.materialized() else { return [] }
            return evaluate(full, processes: processes)
        }
        // Most events concern no rule: find that out before building anything.
        guard let (name, phase) = Self.target(e) else { return [] }
        let p = planFor(name)
        var list = phase == .exit ? p.exit : p.entry
        if list.isEmpty { return [] }
        var execKey: ContentMemo.ExecKey?
        if case .exec(let x) = e.kind, !p.execImage.isEmpty {
            list = p.execImage
            if useContentMemo, p.execImageGated, !p.execImageWhileIdle.contains(where: { trackers[$0]?.isIdle == false }) {
                execKey = ContentMemo.ExecKey(plan: Int32(truncatingIfNeeded: p.id), exe: x.exe, path: x.path, argv: x.argv,
                                              cwd: x.cwd, comm: x.comm, binary: x.binary, script: x.script,
                                              hostnames: p.execImageKey.hostnames ? processes.hostnames.generation : 0)
            }
        }
        var pending: VerdictMemo.Key?
        if let k = pendingKey, k.seq == e.seq, k.phase == phase {
            pending = k.key
            pendingKey = nil
        }
        if let execKey, contentMemo.contains(execKey) {
            if let pending { memo.insert(pending) }
            return []
        }
        var contentKey: ContentMemo.Key?
        if useContentMemo, phase == .exit ? p.exitGated : p.entryGated, case .syscall(let sc) = e.kind,
           !(p.isExec && phase == .entry) || ContentGate.execViewIsComplete(sc),
           !(phase == .exit ? p.exitWhileIdle : p.entryWhileIdle).contains(where: { trackers[$0]?.isIdle == false }) {
            let key = ContentMemo.key(plan: p.id, sc, phase: phase, needs: phase == .exit ? p.exitKey : p.entryKey,
                                      hostnames: processes.hostnames.generation)
            if contentMemo.contains(key) {
                if let pending { memo.insert(pending) }
                return []
            }
            contentKey = key
        }
        let before = pending == nil ? 0 : trackerChanges(list)
        let (out, gated) = run(list, e, processes)
        if gated, let contentKey { contentMemo.insert(contentKey) }
        if gated, let execKey { contentMemo.insert(execKey) }
        // Remembered only when nothing matched and no sequence moved.
        if let pending, out.isEmpty && trackerChanges(list) == before { memo.insert(pending) }
        return out
    }

    /// Off only for tests that compare verdicts with and without it.
    var useContentMemo = true

    /// How often each memo answered, for AGENTWATCH_STATS.
    public var memoStats: String {
        "content memo: \(contentMemo.hits) hits, \(contentMemo.misses) misses; verdict memo: \(memo.hits) hits, \(memo.misses) misses"
    }

    private func trackerChanges(_ list: [PlannedRule]) -> Int {
        var n = 0
        for planned in list where planned.predicate == nil { n += trackers[planned.index]?.changes ?? 0 }
        return n
    }

    /// The matches, and whether every rule's gate turned the event away.
    private func run(_ list: [PlannedRule], _ e: Event, _ processes: ProcessTable) -> ([RuleMatch], Bool) {
        guard let ctx = Self.context(e, processes) else { return ([], false) }
        ctx.fdMemo = fdMemo
        fieldCache.nextEvent()
        ctx.fieldCache = fieldCache
        var out: [RuleMatch] = []
        var gated = true
        // Rules are reached by index: copying a CompiledRule per event costs a dozen retains.
        for planned in list {
            // An idle sequence fed an event its first step turns away stays idle: skip it.
            if let gate = planned.gate, !gate(ctx), !planned.whileIdle || trackers[planned.index]?.isIdle != false { continue }
            gated = false
            guard let predicate = planned.predicate else {
                if let done = trackers[planned.index]?.feed(ctx) {
                    out.append(match(rules[planned.index], ctx, steps: done.seqs, seen: done.seen))
                }
                continue
            }
            if predicate(ctx) { out.append(match(rules[planned.index], ctx, steps: [])) }
        }
        return (out, gated)
    }

    /// Whether some rule or sequence step can look at this syscall, at either phase.
    public func looksAt(_ syscall: String) -> Bool { !candidates(syscall).isEmpty }

    /// The syscall name and phase rules see an event as; nil for events no rule sees.
    static func target(_ e: Event) -> (String, EventPhase)? {
        switch e.kind {
        case .syscall(let sc):
            guard let exit = sc.exit else { return (sc.name, .entry) }
            if sc.denied { return nil }
            if sc.name == "execve" || sc.name == "execveat", !exit.failed { return nil }
            return (sc.name, .exit)
        case .exec:
            return ("execve", .exit)
        default:
            return nil
        }
    }

    /// A trace uses a handful of syscall names: comparing them (short names sit
    /// inline in the String) is cheaper than hashing one per event.
    private var recentPlans: [(name: String, plan: Plan)] = []

    private func planFor(_ name: String) -> Plan {
        for i in recentPlans.indices where recentPlans[i].name == name { return recentPlans[i].plan }
        let p = plan[name] ?? makePlan(name)
        if recentPlans.count < 12 { recentPlans.append((name, p)) }
        return p
    }

    private func makePlan(_ name: String) -> Plan {
        var entry: [PlannedRule] = [], exit: [PlannedRule] = []
        var entryMemo: MemoNeeds? = MemoNeeds(), exitMemo: MemoNeeds? = MemoNeeds()
        var entryKey = ContentMemo.KeyNeeds(), exitKey = ContentMemo.KeyNeeds(), imageKey = ContentMemo.KeyNeeds()
        let isExec = name == "execve" || name == "execveat"
        /// The gate of a condition specialized to this syscall and phase (or to exec events), noting what its keys need.
        func gateOf(_ special: RExpr, _ phase: EventPhase, image: Bool) -> (gate: RExpr, rest: RExpr)? {
            let mode: ContentGate.Mode = image ? .execImage : isExec && phase == .entry ? .execEntry : .syscall
            guard let (g, rest) = ContentGate.split(special, mode) else { return nil }
            if image { imageKey.add(g) } else if phase == .entry { entryKey.add(g) } else { exitKey.add(g) }
            return (g, rest)
        }
        let shared = RuleSpecializer.Shared(memo: fdMemo, cache: fieldCache)
        func memoNeeds(_ phase: EventPhase, _ update: (inout MemoNeeds) -> Bool) {
            if phase == .entry {
                if var n = entryMemo { entryMemo = update(&n) ? n : nil }
            } else {
                if var n = exitMemo { exitMemo = update(&n) ? n : nil }
            }
        }
        for i in candidates(name) {
            if let s = rules[i].sequence {
                // A tracker sees every phase one of its steps runs at.
                for phase in [EventPhase.entry, .exit] where s.steps.contains(where: { $0.runs(name, phase) }) {
                    let (gate, whileIdle) = sequenceGate(s, name, phase, { gateOf($0, $1, image: false) })
                    let planned = PlannedRule(index: i, predicate: nil, gate: gate, whileIdle: whileIdle)
                    if phase == .entry { entry.append(planned) } else { exit.append(planned) }
                    memoNeeds(phase) { n in
                        // The first step starts partials; later steps advance them, which only an idle tracker rules out.
                        if s.steps.dropFirst().contains(where: { $0.runs(name, phase) }) { n.idleTrackers.append(i) }
                        guard s.steps[0].runs(name, phase) else { return true }
                        guard let cond = s.steps[0].condition else { return false }
                        return MemoFields.needs(of: [RuleSpecializer.specialize(cond, syscall: name, phase: phase)], into: &n)
                    }
                }
                continue
            }
            // rules[i].x borrows the rule; copying it whole retained every field.
            let atExit = rules[i].timing.needsExit(name)
            if rules[i].timing.entryOnly && atExit { continue }
            let phase: EventPhase = atExit ? .exit : .entry
            var predicate = rules[i].predicate
            var gate: Predicate?
            if let cond = rules[i].condition {
                let special = RuleSpecializer.specialize(cond, syscall: name, phase: phase)
                // A rule that cannot hold for this syscall at this phase is left out of the plan.
                if case .constant(false) = special { continue }
                if let (g, rest) = gateOf(special, phase, image: false) {
                    gate = RuleSpecializer.predicate(g, shared)
                    predicate = RuleSpecializer.predicate(rest, shared)
                } else {
                    predicate = RuleSpecializer.predicate(special, shared)
                }
                memoNeeds(phase) { MemoFields.needs(of: [special], into: &$0) }
            } else {
                memoNeeds(phase) { _ in false }
            }
            let planned = PlannedRule(index: i, predicate: predicate, gate: gate)
            if atExit { exit.append(planned) } else { entry.append(planned) }
        }
        // Exec events are execve's successful exit: the same rules, gated on the image too.
        var image: [PlannedRule] = []
        if name == "execve" {
            for planned in exit {
                let i = planned.index
                if let s = rules[i].sequence {
                    let (gate, whileIdle) = sequenceGate(s, name, .exit, { gateOf($0, $1, image: true) })
                    image.append(PlannedRule(index: i, predicate: nil, gate: gate, whileIdle: whileIdle))
                } else if let cond = rules[i].condition {
                    let special = RuleSpecializer.specialize(cond, syscall: name, phase: .exit)
                    if let (g, rest) = gateOf(special, .exit, image: true) {
                        image.append(PlannedRule(index: i, predicate: RuleSpecializer.predicate(rest, shared),
                                                 gate: RuleSpecializer.predicate(g, shared)))
                    } else {
                        image.append(PlannedRule(index: i, predicate: RuleSpecializer.predicate(special, shared)))
                    }
                } else {
                    image.append(planned)
                }
            }
        }
        let p = Plan(id: plan.count + 1, isExec: isExec, entry: entry, exit: exit,
                     entryMemo: entryMemo, exitMemo: exitMemo, entryKey: entryKey, exitKey: exitKey,
                     execImage: image, execImageKey: imageKey)
        plan[name] = p
        return p
    }

    /// A sequence's gate at a syscall and phase: its first step's content part
    /// (false where the first step does not run), and whether a later step
    /// runs here too, so the gate holds only while the tracker is idle.
    private func sequenceGate(_ s: CompiledSequence, _ name: String, _ phase: EventPhase,
                              _ gateOf: (RExpr, EventPhase) -> (gate: RExpr, rest: RExpr)?) -> (Predicate?, whileIdle: Bool) {
        let later = s.steps.dropFirst().contains { $0.runs(name, phase) }
        guard s.steps[0].runs(name, phase) else { return ({ _ in false }, later) }
        guard let cond = s.steps[0].condition else { return (nil, later) }
        let special = RuleSpecializer.specialize(cond, syscall: name, phase: phase)
        guard let (g, _) = gateOf(special, phase) else { return (nil, later) }
        return (RuleSpecializer.predicate(g, RuleSpecializer.Shared(memo: fdMemo, cache: fieldCache)), later)

    }

    static func context(_ e: Event, _ processes: ProcessTable) -> EvalContext? {
        switch e.kind {
        case .syscall(let sc):
            let phase: EventPhase = sc.exit == nil ? .entry : .exit
            if phase == .exit {
                if sc.denied { return nil }
                if sc.name == "execve" || sc.name == "execveat", sc.exit?.failed == false { return nil }
            }
            return EvalContext(event: e, processes: processes, phase: phase, syscall: sc, name: sc.name)
        case .exec(let x):
            let sc = Syscall(name: "execve", nr: 59, arch: .x86_64,
                             args: [Arg("pathname", .path(x.exe, raw: x.path)), Arg("argv", .strings(x.argv, truncated: false))],
                             exit: SyscallExit(ret: 0))
            return EvalContext(event: e, processes: processes, phase: .exit, syscall: sc, name: "execve")
        default:
            return nil
        }
    }

    private func match(_ r: CompiledRule, _ ctx: EvalContext, steps: [UInt64], seen: [String: String] = [:]) -> RuleMatch {
        let fields = r.fields.map { ($0.text, $0.value(ctx)?.description ?? seen[$0.text] ?? "<NA>") }
        return RuleMatch(rule: r.name, priority: r.priority, action: r.action, errno: r.errno, scope: r.scope,
                         tags: r.tags, output: r.output.render(ctx, fallback: seen), fields: fields, seq: ctx.event.seq,
                         pid: ctx.event.pid, tid: ctx.event.tid, phase: ctx.phase, syscall: ctx.syscallName,
                         stepSeqs: steps)
    }
}
