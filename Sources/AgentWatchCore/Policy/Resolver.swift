// Resolves a parsed condition against the document: expands macros and
// lists, binds fields to the table and compiles each check. Problems are
// reported once, at the text they come from (a macro's own condition when
// the problem is inside a macro).

indirect enum RExpr: Sendable {
    case and([RExpr])
    case or([RExpr])
    case not(RExpr)
    case constant(Bool)
    case leaf(Leaf)
}

struct Leaf: Sendable {
    let field: BoundField
    let op: CompareOp?
    /// Literal operands after list expansion, for evt.type and evt.dir analysis.
    let literals: [String]
    let predicate: Predicate
    /// Some operand is computed per event (`val(field)`, a captured step value).
    var dynamic = false
    /// The operands `predicate` was compiled from, so the engine can compile it
    /// again against a cached field (see RuleSpecializer).
    var operands: [ROperand] = []
}

/// A macro's resolution and its effects on the scope that resolved it.
private struct ResolvedMacro {
    let expr: RExpr
    let noted: [BoundField]
    let unsupported: String?
    let failed: Bool
}

/// Captured values of sequence steps: which fields each step must record.
final class CaptureRegistry {
    private(set) var fields: [[BoundField]]

    init(steps: Int) { fields = Array(repeating: [], count: steps) }

    func slot(step: Int, field: BoundField) -> Int {
        if let i = fields[step - 1].firstIndex(where: { $0.text == field.text }) { return i }
        fields[step - 1].append(field)
        return fields[step - 1].count - 1
    }
}

/// State of resolving one rule (or one sequence step).
final class ResolveScope {
    let subject: String
    let skipUnknown: Bool
    /// First reason the rule cannot run under ptrace.
    var unsupported: String?
    var failed = false
    var fields: [String: BoundField] = [:]
    var fieldOrder: [String] = []
    let captures: CaptureRegistry?
    /// 1-based step being resolved, for step references.
    let step: Int

    init(subject: String, skipUnknown: Bool, captures: CaptureRegistry? = nil, step: Int = 0) {
        self.subject = subject
        self.skipUnknown = skipUnknown
        self.captures = captures
        self.step = step
    }

    func note(_ f: BoundField) {
        if fields[f.text] == nil { fieldOrder.append(f.text) }
        fields[f.text] = f
    }
}

final class Resolver {
    let doc: PolicyDocument
    private(set) var diagnostics: [Diagnostic] = []
    private var reported = Set<String>()
    private var parsedMacros: [String: ConditionExpr?] = [:]
    private var resolvedMacros: [String: ResolvedMacro] = [:]
    private(set) var usedMacros = Set<String>()
    private(set) var usedLists = Set<String>()

    init(doc: PolicyDocument) { self.doc = doc }

    func resolve(_ text: SourceText, _ scope: ResolveScope) -> RExpr? {
        let ast: ConditionExpr
        do {
            ast = try ConditionParser.parse(text.text)
        } catch {
            report(.error, "syntax error: \(error.message)", text, error.offset, scope)
            scope.failed = true
            return nil
        }
        return resolve(ast, text, scope, macroStack: [])
    }

    func report(_ sev: Diagnostic.Severity, _ msg: String, _ text: SourceText, _ offset: Int?, _ scope: ResolveScope?) {
        let loc = offset.flatMap { text.location(ofOffset: $0) }
        let key = Self.reportKey(loc, msg)
        guard !reported.contains(key) else { return }
        reported.insert(key)
        diagnostics.append(Diagnostic(sev, msg, at: loc, subject: scope?.subject))
    }

    func add(_ d: Diagnostic) { diagnostics.append(d) }

    /// A problem is reported once per place and message, whichever rule met it.
    static func reportKey(_ location: SourceLocation?, _ message: String) -> String {
        "\(location?.description ?? "?")|\(message)"
    }

    private func resolve(_ e: ConditionExpr, _ text: SourceText, _ scope: ResolveScope, macroStack: [String]) -> RExpr {
        switch e {
        case .and(let xs): return .and(xs.map { resolve($0, text, scope, macroStack: macroStack) })
        case .or(let xs): return .or(xs.map { resolve($0, text, scope, macroStack: macroStack) })
        case .not(let x): return .not(resolve(x, text, scope, macroStack: macroStack))
        case .constant(let b): return .constant(b)
        case .macro(let name, let span):
            return expandMacro(name, span, text, scope, macroStack)
        case .exists(let f):
            guard let bound = bind(f, text, scope) else { return .constant(false) }
            return leaf(bound, nil, [], text, scope, at: f.span.start)
        case .compare(let f, let op, let operands, let isList):
            guard let bound = bind(f, text, scope) else { return .constant(false) }
            var resolved: [ROperand] = []
            for o in operands {
                resolved += operand(o, expandLists: isList, text, scope)
            }
            // An operand that failed to resolve was already reported.
            if !isList, resolved.isEmpty { return .constant(false) }
            return leaf(bound, op, resolved, text, scope, at: f.span.start)
        }
    }

    private func expandMacro(_ name: String, _ span: TextSpan, _ text: SourceText, _ scope: ResolveScope,
                             _ stack: [String]) -> RExpr {
        guard let m = doc.macros[name] else {
            var msg = "undefined macro '\(name)'"
            if doc.lists[name] != nil { msg += " ('\(name)' is a list: use it inside 'in (...)')" } else if let s = closest(name, doc.macros.keys) {
                msg += "; did you mean '\(s)'?"
            }
            report(.error, msg, text, span.start, scope)
            scope.failed = true
            return .constant(false)
        }
        usedMacros.insert(name)
        if stack.contains(name) {
            report(.error, "macro '\(name)' refers to itself (\((stack + [name]).joined(separator: " → ")))", text, span.start, scope)
            scope.failed = true
            return .constant(false)
        }
        let ast: ConditionExpr?
        if let cached = parsedMacros[name] {
            ast = cached
        } else {
            do {
                ast = try ConditionParser.parse(m.condition.text)
            } catch {
                report(.error, "syntax error in macro '\(name)': \(error.message)", m.condition, error.offset, nil)
                ast = nil
            }
            parsedMacros[name] = .some(ast)
        }
        guard let ast else {
            scope.failed = true
            return .constant(false)
        }
        // Outside sequence steps a macro resolves the same way wherever it is
        // used: resolve it once and replay what it did to the scope.
        guard scope.captures == nil else { return resolve(ast, m.condition, scope, macroStack: stack + [name]) }
        let key = scope.skipUnknown ? name + "\u{0}skip-unknown" : name
        let resolved: ResolvedMacro
        if let r = resolvedMacros[key] {
            resolved = r
        } else {
            let own = ResolveScope(subject: scope.subject, skipUnknown: scope.skipUnknown)
            let expr = resolve(ast, m.condition, own, macroStack: stack + [name])
            resolved = ResolvedMacro(expr: expr, noted: own.fieldOrder.compactMap { own.fields[$0] },
                                     unsupported: own.unsupported, failed: own.failed)
            resolvedMacros[key] = resolved
        }
        for f in resolved.noted { scope.note(f) }
        if scope.unsupported == nil { scope.unsupported = resolved.unsupported }
        if resolved.failed { scope.failed = true }
        return resolved.expr
    }

    private func operand(_ o: Operand, expandLists: Bool, _ text: SourceText, _ scope: ResolveScope) -> [ROperand] {
        switch o {
        case .literal(let s, let quoted, let span):
            if expandLists, !quoted, doc.lists[s] != nil {
                var seen = Set<String>()
                return expandList(s, &seen).map { .literal($0, span: span) }
            }
            return [.literal(s, span: span)]
        case .field(let f):
            guard let b = bind(f, text, scope) else { return [] }
            return [.dynamic({ ctx in b.value(ctx) }, text: "val(\(b.text))")]
        case .stepRef(let n, let f):
            guard let reg = scope.captures, scope.step > 0 else {
                report(.error, "step references (step[\(n)].\(f)) are only allowed in sequence steps", text, f.span.start, scope)
                scope.failed = true
                return []
            }
            guard n < scope.step else {
                report(.error, "step[\(n)] is not an earlier step (this is step \(scope.step))", text, f.span.start, scope)
                scope.failed = true
                return []
            }
            guard let b = bind(f, text, scope) else { return [] }
            let slot = reg.slot(step: n, field: b)
            let idx = n - 1
            return [.dynamic({ ctx in
                guard idx < ctx.captures.count, slot < ctx.captures[idx].count else { return nil }
                return ctx.captures[idx][slot]
            }, text: "step[\(n)].\(b.text)")]
        }
    }

    /// Lists may name other lists; quoted items never do.
    private func expandList(_ name: String, _ seen: inout Set<String>) -> [String] {
        guard let l = doc.lists[name], !seen.contains(name) else { return [] }
        seen.insert(name)
        usedLists.insert(name)
        var out: [String] = []
        for item in l.items {
            if !item.quoted, doc.lists[item.text] != nil {
                out += expandList(item.text, &seen)
            } else {
                out.append(item.text)
            }
        }
        return out
    }

    func bind(_ f: FieldRef, _ text: SourceText, _ scope: ResolveScope) -> BoundField? {
        switch FieldLookup.lookup(name: f.name, arg: f.arg) {
        case .supported(let spec, let arg):
            let b = BoundField(spec: spec, arg: arg, transformers: f.transformers, text: f.description)
            scope.note(b)
            return b
        case .unsupported(let reason):
            if scope.unsupported == nil { scope.unsupported = reason }
            return nil
        case .unknown(let suggestion):
            if scope.skipUnknown {
                if scope.unsupported == nil { scope.unsupported = "unknown field \(f.name) (skip-if-unknown-filter)" }
                return nil
            }
            var msg = "unknown field '\(f.name)'"
            if let s = suggestion { msg += "; did you mean '\(s)'?" }
            report(.error, msg, text, f.span.start, scope)
            scope.failed = true
            return nil
        case .badArgument(let msg):
            report(.error, msg, text, f.span.start, scope)
            scope.failed = true
            return nil
        }
    }

    private func leaf(_ f: BoundField, _ op: CompareOp?, _ operands: [ROperand], _ text: SourceText,
                      _ scope: ResolveScope, at fieldOffset: Int) -> RExpr {
        do {
            let p = try CheckCompiler.compile(f, op, operands)
            let lits = operands.compactMap { o -> String? in
                if case .literal(let s, _) = o { return s }
                return nil
            }
            let dynamic = operands.contains { if case .dynamic = $0 { return true } else { return false } }
            return .leaf(Leaf(field: f, op: op, literals: lits, predicate: p, dynamic: dynamic, operands: operands))
        } catch {
            report(.error, "in `\(f.text) \(op?.rawValue ?? "exists")`: \(error.message)", text, error.span?.start ?? fieldOffset, scope)
            scope.failed = true
            return .constant(false)
        }
    }

    func closest<S: Sequence>(_ name: String, _ candidates: S) -> String? where S.Element == String {
        var best: (String, Int)?
        for c in candidates {
            let d = FieldLookup.editDistance(name, c)
            if d <= max(2, name.count / 4), d < (best?.1 ?? Int.max) { best = (c, d) }
        }
        return best?.0
    }
}
