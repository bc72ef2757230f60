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
        /// Texts one of which the descriptor's name, directory or file name holds
        /// whenever `gate` does (PathSieve), as planned; the phase plan turns
        /// them into `needles`, their places in its list.
        var texts: [String]? = nil
        var needles: [Int]? = nil
    }

    /// The rules one phase runs, and what the memos need to answer for it.
    struct PhasePlan {
        let rules: [PlannedRule]
        /// What the verdict memo's keys hold besides the line; nil where it cannot answer.
        let memo: MemoNeeds?
        /// What the content memo's keys hold besides the syscall's text.
        let key: ContentMemo.KeyNeeds
        /// Every rule has a gate: the content memo can answer for the phase.
        let gated: Bool
        /// Sequences with a later step here: a partial match may advance
        /// whatever the event is, so neither memo answers while they track something.
        let idleSequences: [Int]
        /// Every rule's sieve texts, once each (PathSieve).
        let sieve: SieveIndex

        init(_ rules: [PlannedRule], memo: MemoNeeds?, key: ContentMemo.KeyNeeds) {
            var texts: [String] = []
            var place: [String: Int] = [:]
            self.rules = rules.map { r in
                var r = r
                r.needles = r.texts?.map { t in
                    if let i = place[t] { return i }
                    place[t] = texts.count
                    texts.append(t)
                    return texts.count - 1
                }
                r.texts = nil
                return r
            }
            sieve = SieveIndex(texts.map { Array($0.utf8) })
            self.memo = memo
            self.key = key
            gated = !rules.isEmpty && rules.allSatisfy { $0.gate != nil }
            idleSequences = rules.filter(\.whileIdle).map(\.index)
        }
    }

    /// A class: the fast lane holds one per syscall and hands it over per line without copying its lists.
    /// Its fields are constants: read per line, they need no exclusivity checks.
    final class Plan {
        /// Tells plans apart in the memos' keys.
        let id: Int
        /// execve or execveat: a successful exit is the exec event instead.
        let isExec: Bool
        let entry: PhasePlan
        let exit: PhasePlan
        /// execve's exit rules as exec events run them, gated on the image the
        /// event carries too; nil for other syscalls.
        let execImage: PhasePlan?

        init(id: Int, isExec: Bool, entry: PhasePlan, exit: PhasePlan, execImage: PhasePlan?) {
            self.id = id
            self.isExec = isExec
            self.entry = entry
            self.exit = exit
            self.execImage = execImage
        }

        func phase(_ phase: EventPhase) -> PhasePlan { phase == .exit ? exit : entry }
    }

    public init(policies: PolicySet) {
        self.policies = policies
        rules = policies.rules
        let cache = fieldCache
        sieveFields = PathSieve.fields.compactMap { name in
            FieldTable.byName[name].map { BoundField(spec: $0, arg: nil, transformers: [], text: name, cacheSlot: cache.slot(for: name)) }
        }
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

    /// The calls the stdio exemption is about (write, writev).
    public static let stdioWriteSyscalls = PrefilterAnalysis.stdioWriteSyscalls

    /// Rules that could match a write or writev whose bytes are not read, by
    /// name: while there are none, the prefilter lets writes to stdin, stdout and
    /// stderr through without a stop (the tracer keeps sockets off them).
    public var rulesMatchingNonSocketWrites: [String] {
        rules.filter { r in
            PrefilterAnalysis.stdioWriteSyscalls.contains { r.eventTypes.contains($0) } && r.mayMatchNonSocketWrite
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
        if p.phase(phase).rules.isEmpty { return .clean }
        guard let needs = memoNeeds(p.phase(phase)) else { return .unknown }
        let key = VerdictMemo.key(plan: p.id, line, phase: phase, needs: needs, processes: processes)
        return memo.contains(key, countingMiss: counting) ? .clean : .miss(key)
    }

    /// What a phase's verdict depends on, when the verdict memo may answer for it now.
    private func memoNeeds(_ pp: PhasePlan) -> MemoNeeds? {
        guard let needs = pp.memo, sequencesIdle(pp) else { return nil }
        return needs
    }

    /// No sequence with a later step in the phase holds a partial match.
    private func sequencesIdle(_ pp: PhasePlan) -> Bool {
        !pp.idleSequences.contains { trackers[$0]?.isIdle == false }
    }

    /// An exec event (apply it first): everything the rules see of it is in the
    /// process's look now (image, argv, cwd, facts, fingerprints), except the
    /// path as the program gave it.
    private func knownCleanExec(_ e: Event, _ x: Exec, _ processes: ProcessTable) -> Bool {
        let p = planFor("execve")
        if p.exit.rules.isEmpty { return true }
        guard let needs = memoNeeds(p.exit),
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
        let pp: PhasePlan
        if case .exec = e.kind, let image = p.execImage { pp = image } else { pp = p.phase(phase) }
        if pp.rules.isEmpty { return [] }
        var pending: VerdictMemo.Key?
        if let k = pendingKey, k.seq == e.seq, k.phase == phase {
            pending = k.key
            pendingKey = nil
        }
        var contentKey: ContentMemo.Key?
        if useContentMemo, pp.gated, sequencesIdle(pp),
           let key = ContentMemo.key(plan: p.id, e, phase: phase, execEntry: p.isExec && phase == .entry, needs: pp.key,
                                     hostnames: processes.hostnames.generation) {
            if contentMemo.contains(key) {
                if let pending { memo.insert(pending) }
                return []
            }
            contentKey = key
        }
        let before = pending == nil ? 0 : trackerChanges(pp.rules)
        let (out, gated) = run(pp, e, processes)
        if gated, let contentKey { contentMemo.insert(contentKey) }
        // Remembered only when nothing matched and no sequence moved.
        if let pending, out.isEmpty && trackerChanges(pp.rules) == before { memo.insert(pending) }
        return out
    }

    /// Off only for tests that compare verdicts with and without it.
    var useContentMemo = true
    /// Off only for tests that compare verdicts with and without it; read when a plan is built.
    var useSieve = true
    /// Gates the sieve spared, for AGENTWATCH_STATS.
    private(set) var sieveSkips = 0
    /// found[i] == stamp: the plan's text i occurs in the event being evaluated.
    private var sieveFound: [UInt32] = []
    private var sieveStamp: UInt32 = 0
    /// The values the sieve looks in, through the same per-event cache as the rules.
    private let sieveFields: [BoundField]

    /// How often each memo answered, for AGENTWATCH_STATS.
    public var memoStats: String {
        "content memo: \(contentMemo.hits) hits, \(contentMemo.misses) misses; verdict memo: \(memo.hits) hits, \(memo.misses) misses; "
            + "path sieve: \(sieveSkips) gates skipped"
    }

    private func trackerChanges(_ list: [PlannedRule]) -> Int {
        var n = 0
        for planned in list where planned.predicate == nil { n += trackers[planned.index]?.changes ?? 0 }
        return n
    }

    /// The matches, and whether every rule's gate turned the event away.
    private func run(_ pp: PhasePlan, _ e: Event, _ processes: ProcessTable) -> ([RuleMatch], Bool) {
        guard let ctx = Self.context(e, processes) else { return ([], false) }
        ctx.fdMemo = fdMemo
        fieldCache.nextEvent()
        ctx.fieldCache = fieldCache
        var out: [RuleMatch] = []
        var gated = true
        var sieved = false, trusted = false
        var found: [UInt32] = [], stamp: UInt32 = 0
        // Rules are reached by index: copying a CompiledRule per event costs a dozen retains.
        for planned in pp.rules {
            var open = true
            if let needles = planned.needles {
                if !sieved {
                    sieved = true
                    trusted = sieve(pp.sieve, ctx)
                    (found, stamp) = (sieveFound, sieveStamp)
                }
                if trusted { open = needles.contains { found[$0] == stamp } }
                if !open { sieveSkips += 1 }
            }
            // An idle sequence fed an event its first step turns away stays idle: skip it.
            if let gate = planned.gate, !(open && gate(ctx)), !planned.whileIdle || trackers[planned.index]?.isIdle != false { continue }
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

    /// Marks which of the plan's texts the event's name, directory and file
    /// name hold; false when the sieve must stand aside.
    private func sieve(_ index: SieveIndex, _ ctx: EvalContext) -> Bool {
        sieveStamp &+= 1
        if sieveStamp == 0 {
            sieveFound = []
            sieveStamp = 1
        }
        if sieveFound.count < index.texts.count { sieveFound += [UInt32](repeating: 0, count: index.texts.count - sieveFound.count) }
        for f in sieveFields {
            guard index.mark(f.value(ctx), &sieveFound, sieveStamp) else { return false }
        }
        return true
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
        var entryKey = ContentMemo.KeyNeeds(), exitKey = ContentMemo.KeyNeeds()
        let isExec = name == "execve" || name == "execveat"
        func mode(_ phase: EventPhase) -> ContentGate.Mode { isExec && phase == .entry ? .execEntry : .syscall }
        /// Rule `i` (not a sequence) whose condition is `special` here: its gate and the rest, when it has a gate.
        func planned(_ i: Int, _ special: RExpr, _ mode: ContentGate.Mode, _ key: inout ContentMemo.KeyNeeds) -> PlannedRule {
            guard let (g, rest) = ContentGate.split(special, mode) else {
                return PlannedRule(index: i, predicate: RuleSpecializer.predicate(special, specializing))
            }
            key.add(g)
            return PlannedRule(index: i, predicate: RuleSpecializer.predicate(rest, specializing), gate: RuleSpecializer.predicate(g, specializing),
                               texts: useSieve ? PathSieve.needles(g) : nil)
        }
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
                    if phase == .entry {
                        entry.append(plannedSequence(i, s, name, phase, mode(phase), &entryKey))
                    } else {
                        exit.append(plannedSequence(i, s, name, phase, mode(phase), &exitKey))
                    }
                    memoNeeds(phase) { n in
                        // Later steps here only advance partials, which the plan's idle sequences rule out.
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
            let rule: PlannedRule
            if let cond = rules[i].condition {
                let special = RuleSpecializer.specialize(cond, syscall: name, phase: phase)
                // A rule that cannot hold for this syscall at this phase is left out of the plan.
                if case .constant(false) = special { continue }
                rule = atExit ? planned(i, special, mode(phase), &exitKey) : planned(i, special, mode(phase), &entryKey)
                memoNeeds(phase) { MemoFields.needs(of: [special], into: &$0) }
            } else {
                rule = PlannedRule(index: i, predicate: rules[i].predicate)
                memoNeeds(phase) { _ in false }
            }
            if atExit { exit.append(rule) } else { entry.append(rule) }
        }
        // Exec events are execve's successful exit: the same rules, gated on the image too.
        var execImage: PhasePlan?
        if name == "execve" {
            var imageKey = ContentMemo.KeyNeeds()
            let image = exit.map { p -> PlannedRule in
                let i = p.index
                if let s = rules[i].sequence { return plannedSequence(i, s, name, .exit, .execImage, &imageKey) }
                guard let cond = rules[i].condition else { return p }
                return planned(i, RuleSpecializer.specialize(cond, syscall: name, phase: .exit), .execImage, &imageKey)
            }
            // The verdict memo answers for exec events through the exit plan (knownCleanExec).
            execImage = PhasePlan(image, memo: nil, key: imageKey)
        }
        let p = Plan(id: plan.count + 1, isExec: isExec, entry: PhasePlan(entry, memo: entryMemo, key: entryKey),
                     exit: PhasePlan(exit, memo: exitMemo, key: exitKey), execImage: execImage)
        plan[name] = p
        return p
    }

    /// What every specialized condition shares: the descriptor memo and the field cache.
    private var specializing: RuleSpecializer.Shared { RuleSpecializer.Shared(memo: fdMemo, cache: fieldCache) }

    /// A sequence at a syscall and phase. Its gate is its first step's content
    /// part (false where the first step does not run); where a later step runs
    /// too, the gate holds only while the tracker is idle.
    private func plannedSequence(_ i: Int, _ s: CompiledSequence, _ name: String, _ phase: EventPhase,
                                 _ mode: ContentGate.Mode, _ key: inout ContentMemo.KeyNeeds) -> PlannedRule {
        let later = s.steps.dropFirst().contains { $0.runs(name, phase) }
        var gate: Predicate?
        if !s.steps[0].runs(name, phase) {
            gate = { _ in false }
        } else if let cond = s.steps[0].condition,
                  let (g, _) = ContentGate.split(RuleSpecializer.specialize(cond, syscall: name, phase: phase), mode) {
            key.add(g)
            gate = RuleSpecializer.predicate(g, specializing)
        }
        return PlannedRule(index: i, predicate: nil, gate: gate, whileIdle: later)
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
