// Loading and compiling a set of policy files. The result carries every
// diagnostic (the lint API) and the runnable rules (the engine's input).

public struct PolicySet: Sendable {
    /// Enabled rules that can run under ptrace, in definition order.
    public let rules: [CompiledRule]
    /// Enabled rules that cannot run, with the reason.
    public let skipped: [(rule: String, reason: String)]
    public let diagnostics: [Diagnostic]
    public let document: PolicyDocument

    /// Loads files in order (later ones refine earlier ones) and compiles.
    public static func load(paths: [String]) -> PolicySet { load(paths: paths, prefetch: .shared) }

    static func load(paths: [String], prefetch: PolicyPrefetch) -> PolicySet {
        let early = prefetch.take()
        if let early, early.paths == paths, let set = early.set { return set }
        var loader = PolicyLoader()
        loader.load(paths: paths, early: early?.parsed ?? [])
        return PolicySet(document: loader.document)
    }

    /// Loads in-memory YAML documents in order: (text, file name for diagnostics).
    public static func load(sources: [(yaml: String, file: String)]) -> PolicySet {
        var loader = PolicyLoader()
        for s in sources { loader.load(yaml: s.yaml, file: s.file) }
        return PolicySet(document: loader.document)
    }

    public static func load(yaml: String, file: String = "<policy>") -> PolicySet {
        load(sources: [(yaml, file)])
    }

    /// Rules compile independently of each other: the two halves of the list
    /// compile at once, each with its own resolver, and are put back in order.
    /// A problem inside a macro that both halves use is reported once, as one
    /// resolver would.
    public init(document: PolicyDocument) {
        let all = document.rules
        let halves = [all[..<(all.count / 2)], all[(all.count / 2)...]]
        let done = SharedWork.map(halves.count) { i in
            var c = PolicyCompiler(document: document)
            c.run(halves[i])
            return c
        }
        rules = done.flatMap(\.rules)
        skipped = done.flatMap(\.skipped)
        var seen = Set<String>()
        let resolved = done.flatMap(\.resolver.diagnostics).filter { seen.insert(Resolver.reportKey($0.location, $0.message)).inserted }
        let unused = PolicyCompiler.unused(document, macros: done.reduce(into: Set()) { $0.formUnion($1.resolver.usedMacros) },
                                           lists: done.reduce(into: Set()) { $0.formUnion($1.resolver.usedLists) })
        diagnostics = document.diagnostics + resolved + done.flatMap(\.diagnostics) + unused
        self.document = document
    }

    public var errors: [Diagnostic] { diagnostics.errors }
}

struct PolicyCompiler {
    let document: PolicyDocument
    let resolver: Resolver
    var rules: [CompiledRule] = []
    var skipped: [(rule: String, reason: String)] = []
    var diagnostics: [Diagnostic] = []

    init(document: PolicyDocument) {
        self.document = document
        resolver = Resolver(doc: document)
    }

    mutating func run(_ rules: ArraySlice<RuleDecl>) {
        for r in rules { compile(r) }
    }

    private mutating func warn(_ msg: String, _ loc: SourceLocation?, _ subject: String?) {
        diagnostics.append(Diagnostic(.warning, msg, at: loc, subject: subject))
    }

    private mutating func error(_ msg: String, _ loc: SourceLocation?, _ subject: String?) {
        diagnostics.append(Diagnostic(.error, msg, at: loc, subject: subject))
    }

    private mutating func compile(_ r: RuleDecl) {
        let name = r.name
        if r.source.lowercased() != "syscall" {
            if r.enabled {
                warn("rule \(name) cannot run: source '\(r.source)' is not available under ptrace (only syscall)", r.location, name)
                skipped.append((name, "source \(r.source)"))
            }
            return
        }
        let scope = ResolveScope(subject: name, skipUnknown: r.skipIfUnknownFilter)
        var predicate: Predicate = { _ in false }
        var types = TypeSet.none
        var timing = Timing()
        var sequence: CompiledSequence?
        var condFields: [BoundField] = []
        var directoryOpens = true
        var nonSocketWrites = true
        var cloneStopFlags: UInt64?
        var nativeTypes: Set<String>?
        var condition: RExpr?

        if let seq = r.sequence {
            guard let s = compileSequence(r, seq, scope) else { return finish(r, scope, nil) }
            sequence = s
            types = s.steps.reduce(TypeSet.none) { $0.union($1.types) }
            timing = s.steps.last?.timing ?? Timing()
            directoryOpens = s.steps.contains { $0.mayMatchDirectoryOpen }
            nonSocketWrites = s.steps.contains { $0.mayMatchNonSocketWrite }
            cloneStopFlags = s.steps.reduce(UInt64?.some(0)) { flags, step in
                guard step.types.contains("clone") else { return flags }
                guard let flags, let e = step.condition else { return nil }
                return PrefilterAnalysis.cloneStopFlags(e).map { flags | $0 }
            }
            if !types.complement { nativeTypes = s.steps.reduce(Set<String>()) { $0.union($1.nativeTypes) } }
        } else if let cond = r.condition {
            guard var expr = resolver.resolve(cond, scope) else { return finish(r, scope, nil) }
            expr = applyExceptions(expr, r, scope)
            predicate = TypeAnalysis.predicate(expr)
            condition = expr
            types = TypeAnalysis.types(expr)
            timing = TypeAnalysis.timing(expr)
            directoryOpens = PrefilterAnalysis.mayMatchDirectoryOpen(expr)
            nonSocketWrites = PrefilterAnalysis.mayMatchNonSocketWrite(expr)
            cloneStopFlags = PrefilterAnalysis.cloneStopFlags(expr)
            if !types.complement { nativeTypes = PrefilterAnalysis.nativeTypes(expr, among: types.names) }
        }
        condFields = scope.fieldOrder.compactMap { scope.fields[$0] }
        if scope.failed || scope.unsupported != nil { return finish(r, scope, nil) }

        let (out, unknownOut) = OutputFormat.parse(r.output)
        for u in unknownOut {
            warn("output of rule \(name) uses unknown field %\(u) (rendered as <NA>)", r.keyLocations["output"] ?? r.location, name)
        }
        var fields = condFields
        for f in out.fields where !fields.contains(where: { $0.text == f.text }) { fields.append(f) }

        var rule = CompiledRule(name: name, desc: r.desc, priority: r.priority, action: r.action, errno: r.errno,
                                scope: r.scope, tags: r.tags, location: r.location, eventTypes: types,
                                predicate: predicate, condition: condition, timing: timing, output: out, fields: fields,
                                conditionFieldCount: condFields.count, sequence: sequence)
        rule.mayMatchDirectoryOpen = directoryOpens
        rule.mayMatchNonSocketWrite = nonSocketWrites
        rule.cloneStopFlags = cloneStopFlags
        rule.nativeTypes = nativeTypes
        lint(rule, r)
        finish(r, scope, rule)
    }

    private mutating func finish(_ r: RuleDecl, _ scope: ResolveScope, _ rule: CompiledRule?) {
        if let reason = scope.unsupported, !scope.failed {
            if r.enabled {
                warn("rule \(r.name) cannot run: \(reason)", r.location, r.name)
                skipped.append((r.name, reason))
            }
            return
        }
        guard let rule, r.enabled else { return }
        rules.append(rule)
    }

    private mutating func lint(_ rule: CompiledRule, _ r: RuleDecl) {
        let actionLoc = r.keyLocations["action"] ?? r.location
        if rule.eventTypes.isEmpty {
            error("condition of rule \(rule.name) can never match (its evt.type constraints exclude every syscall)",
                  r.keyLocations["condition"] ?? r.keyLocations["sequence"] ?? r.location, rule.name)
            return
        }
        if rule.timing.entryOnly && (rule.timing.exitAlways || rule.timing.exitForSuccess) {
            error("condition of rule \(rule.name) can never match: it asks for evt.dir = > and uses fields only known at exit",
                  r.keyLocations["condition"] ?? r.location, rule.name)
        }
        if rule.eventTypes.isAll, r.warnEvttypes, r.enabled {
            warn("rule \(rule.name) does not restrict evt.type: it is evaluated on every traced syscall",
                 r.keyLocations["condition"] ?? r.location, rule.name)
        }
        guard rule.action.isPreventive else { return }
        let what = "action \(rule.action.rawValue) needs the rule to run at syscall entry, but"
        if let seq = rule.sequence, let last = seq.steps.last {
            if last.timing.exitAlways || last.timing.exitForSuccess {
                error("\(what) the last step of sequence \(rule.name) uses fields only known at exit (evt.res, evt.rawres, evt.failed, evt.dir = <)", actionLoc, rule.name)
            }
            return
        }
        if rule.timing.exitAlways || rule.timing.exitForSuccess {
            error("\(what) rule \(rule.name) uses fields only known at exit (evt.res, evt.rawres, evt.failed, evt.dir = <)", actionLoc, rule.name)
        } else if rule.timing.exitOnExec && rule.action == .deny
                    && (rule.eventTypes.contains("execve") || rule.eventTypes.contains("execveat")) {
            error("\(what) rule \(rule.name) uses proc.exe.* fingerprints, known only once the exec happened; use action: kill (the program dies before its first instruction)", actionLoc, rule.name)
        } else if rule.timing.exitWhenFdCreated {
            let t = rule.eventTypes
            if !t.complement, !t.names.isEmpty, t.names.isSubset(of: FdSyscalls.creating) {
                error("\(what) rule \(rule.name) uses fd.num, which \(t.names.sorted().joined(separator: "/")) only return at exit", actionLoc, rule.name)
            } else {
                warn("rule \(rule.name) uses fd.num: on syscalls that create the fd (openat, socket…) it runs at exit and cannot \(rule.action.rawValue)", actionLoc, rule.name)
            }
        }
    }

    // MARK: exceptions

    /// Each exception adds `and not (f1 c1 v1 and f2 c2 v2 …)` per value tuple.
    private mutating func applyExceptions(_ expr: RExpr, _ r: RuleDecl, _ scope: ResolveScope) -> RExpr {
        guard !r.exceptions.isEmpty else { return expr }
        var parts = [expr]
        for ex in r.exceptions where !ex.values.isEmpty {
            var fields: [BoundField] = []
            for f in ex.fields {
                let ref: FieldRef
                do { ref = try ConditionParser.parseField(f) } catch {
                    self.error("exception \(ex.name): '\(f)' is not a field: \(error.message)", ex.location, r.name)
                    scope.failed = true
                    return expr
                }
                let text = SourceText(f, origin: nil)
                guard let b = resolver.bind(ref, text, scope) else {
                    if scope.failed { error("exception \(ex.name): unknown field '\(f)'", ex.location, r.name) }
                    return expr
                }
                fields.append(b)
            }
            var comps: [CompareOp] = []
            for c in ex.comps {
                guard let op = CompareOp(rawValue: c.lowercased()) else {
                    error("exception \(ex.name): unknown comparison '\(c)'", ex.location, r.name)
                    scope.failed = true
                    return expr
                }
                comps.append(op)
            }
            var alternatives: [RExpr] = []
            for tuple in ex.values {
                var conj: [RExpr] = []
                if !ex.fieldsIsList, let f = fields.first, let op = comps.first, !op.takesList {
                    conj.append(check(f, op, tuple, ex, r, scope))
                } else {
                    for (i, f) in fields.enumerated() where i < tuple.count && i < comps.count {
                        conj.append(check(f, comps[i], [tuple[i]], ex, r, scope))
                    }
                }
                alternatives.append(.and(conj))
            }
            // A single field with a list comparison takes all values as one list.
            if !ex.fieldsIsList, let f = fields.first, let op = comps.first, op.takesList {
                alternatives = [check(f, op, ex.values.flatMap { $0 }, ex, r, scope)]
            }
            parts.append(.not(.or(alternatives)))
        }
        return .and(parts)
    }

    private mutating func check(_ f: BoundField, _ op: CompareOp, _ values: [ExceptionDecl.Value], _ ex: ExceptionDecl,
                                _ r: RuleDecl, _ scope: ResolveScope) -> RExpr {
        var items: [String] = []
        for v in values {
            switch v {
            case .scalar(let s, let quoted):
                if op.takesList, !quoted, document.lists[s] != nil {
                    items += listItems(s)
                } else {
                    items.append(s)
                }
            case .list(let l):
                for s in l { items += document.lists[s] != nil ? listItems(s) : [s] }
            }
        }
        let operands = items.map { ROperand.literal($0, span: nil) }
        do {
            let p = try CheckCompiler.compile(f, op, op.takesList ? operands : Array(operands.prefix(1)))
            let compiledFrom = op.takesList ? operands : Array(operands.prefix(1))
            return .leaf(Leaf(field: f, op: op, literals: items, predicate: p, operands: compiledFrom))
        } catch {
            self.error("exception \(ex.name): \(f.text) \(op.rawValue): \(error.message)", ex.location, r.name)
            scope.failed = true
            return .constant(false)
        }
    }

    private func listItems(_ name: String) -> [String] {
        var seen = Set<String>()
        func expand(_ n: String) -> [String] {
            guard let l = document.lists[n], !seen.contains(n) else { return [] }
            seen.insert(n)
            return l.items.flatMap { !$0.quoted && document.lists[$0.text] != nil ? expand($0.text) : [$0.text] }
        }
        return expand(name)
    }

    // MARK: sequences

    private mutating func compileSequence(_ r: RuleDecl, _ seq: SequenceDecl, _ scope: ResolveScope) -> CompiledSequence? {
        let reg = CaptureRegistry(steps: seq.steps.count)
        var exprs: [RExpr] = []
        for (i, text) in seq.steps.enumerated() {
            let stepScope = ResolveScope(subject: r.name, skipUnknown: r.skipIfUnknownFilter, captures: reg, step: i + 1)
            // A rule-level condition applies to every step.
            let e = resolver.resolve(wrapped(r.condition, text), stepScope)
            for k in stepScope.fieldOrder { if let f = stepScope.fields[k] { scope.note(f) } }
            if stepScope.failed { scope.failed = true }
            if scope.unsupported == nil { scope.unsupported = stepScope.unsupported }
            guard let e else { return nil }
            exprs.append(e)
        }
        let byRef: FieldRef
        do { byRef = try ConditionParser.parseField(seq.by) } catch {
            self.error("sequence `by`: '\(seq.by)' is not a field: \(error.message)", seq.byLocation ?? r.location, r.name)
            scope.failed = true
            return nil
        }
        guard let by = resolver.bind(byRef, SourceText(seq.by, origin: nil), scope) else {
            if scope.failed { error("sequence `by`: unknown field '\(seq.by)'", seq.byLocation ?? r.location, r.name) }
            return nil
        }
        if scope.failed || scope.unsupported != nil { return nil }
        var steps: [CompiledStep] = []
        for (i, e) in exprs.enumerated() {
            var step = CompiledStep(predicate: TypeAnalysis.predicate(e), types: TypeAnalysis.types(e),
                                    timing: TypeAnalysis.timing(e), captures: reg.fields[i])
            step.condition = e
            step.mayMatchDirectoryOpen = PrefilterAnalysis.mayMatchDirectoryOpen(e)
            step.mayMatchNonSocketWrite = PrefilterAnalysis.mayMatchNonSocketWrite(e)
            if !step.types.complement { step.nativeTypes = PrefilterAnalysis.nativeTypes(e, among: step.types.names) }
            if step.types.isEmpty {
                error("step \(i + 1) of sequence \(r.name) can never match", seq.stepLocations[i], r.name)
            }
            steps.append(step)
        }
        return CompiledSequence(steps: steps, by: by, within: seq.within)
    }

    private func wrapped(_ cond: SourceText?, _ step: SourceText) -> SourceText {
        guard var c = cond else { return step }
        var open = SourceText("(", origin: nil)
        open.append(c)
        c = open
        c.append(SourceText(") and (", origin: nil))
        c.append(step)
        c.append(SourceText(")", origin: nil))
        return c
    }

    // MARK: unused

    static func unused(_ document: PolicyDocument, macros: Set<String>, lists: Set<String>) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for name in document.macroOrder where !macros.contains(name) {
            if let m = document.macros[name] { out.append(Diagnostic(.warning, "macro \(name) is never used", at: m.location, subject: name)) }
        }
        for name in document.listOrder where !lists.contains(name) {
            if let l = document.lists[name] { out.append(Diagnostic(.warning, "list \(name) is never used", at: l.location, subject: name)) }
        }
        return out
    }
}
