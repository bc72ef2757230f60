// Which syscalls a condition can match, and whether it needs the result.
//
// For each subexpression we track the event types for which it can be true
// (P) and for which it can be false (N); `not` swaps them. This keeps
// `not (evt.type = open and proc.name = x)` correctly matching opens, which a
// single "can match" set would lose.

public struct TypeSet: Sendable, Equatable {
    /// When true, the set is every syscall except `names`.
    public var complement: Bool
    public var names: Set<String>

    public static let all = TypeSet(complement: true, names: [])
    public static let none = TypeSet(complement: false, names: [])

    public var isEmpty: Bool { !complement && names.isEmpty }
    public var isAll: Bool { complement && names.isEmpty }

    public func contains(_ name: String) -> Bool { complement ? !names.contains(name) : names.contains(name) }

    func intersect(_ o: TypeSet) -> TypeSet {
        switch (complement, o.complement) {
        case (false, false): return TypeSet(complement: false, names: names.intersection(o.names))
        case (false, true): return TypeSet(complement: false, names: names.subtracting(o.names))
        case (true, false): return TypeSet(complement: false, names: o.names.subtracting(names))
        case (true, true): return TypeSet(complement: true, names: names.union(o.names))
        }
    }

    func union(_ o: TypeSet) -> TypeSet {
        switch (complement, o.complement) {
        case (false, false): return TypeSet(complement: false, names: names.union(o.names))
        case (false, true): return TypeSet(complement: true, names: o.names.subtracting(names))
        case (true, false): return TypeSet(complement: true, names: names.subtracting(o.names))
        case (true, true): return TypeSet(complement: true, names: names.intersection(o.names))
        }
    }

    var inverted: TypeSet { TypeSet(complement: !complement, names: names) }
}

/// When a rule (or step) can be evaluated.
struct Timing: Sendable {
    /// Uses a field only known at exit (evt.res…) in a way a failed call can satisfy.
    var exitAlways = false
    /// Needs the exit, but only a successful one (`evt.res = SUCCESS`, `evt.failed = false`,
    /// `evt.dir = <`): on execve the exec event is that exit, no syscall-exit stop needed.
    var exitForSuccess = false
    /// Uses fd.num-like fields, exit-only for fd-creating syscalls.
    var exitWhenFdCreated = false
    /// Uses fingerprints of the new image: exit-only on execve.
    var exitOnExec = false
    /// Says `evt.dir = >`.
    var entryOnly = false

    func needsExit(_ syscall: String) -> Bool {
        exitAlways || exitForSuccess || (exitWhenFdCreated && FdSyscalls.creating.contains(syscall))
            || (exitOnExec && (syscall == "execve" || syscall == "execveat"))
    }
}

enum TypeAnalysis {
    static func types(_ e: RExpr) -> TypeSet { sets(e).p }

    private static func sets(_ e: RExpr) -> (p: TypeSet, n: TypeSet) {
        switch e {
        case .constant(let b): return b ? (.all, .none) : (.none, .all)
        case .not(let x):
            let (p, n) = sets(x)
            return (n, p)
        case .and(let xs):
            var p = TypeSet.all, n = TypeSet.none
            for x in xs {
                let s = sets(x)
                p = p.intersect(s.p)
                n = n.union(s.n)
            }
            return (p, n)
        case .or(let xs):
            var p = TypeSet.none, n = TypeSet.all
            for x in xs {
                let s = sets(x)
                p = p.union(s.p)
                n = n.intersect(s.n)
            }
            return (p, n)
        case .leaf(let l):
            guard l.field.spec.name == "evt.type", l.field.transformers.isEmpty, let op = l.op else { return (.all, .all) }
            switch op {
            case .eq, .eqeq, .in, .intersects:
                let s = TypeSet(complement: false, names: Set(l.literals))
                return (s, s.inverted)
            case .ne:
                let s = TypeSet(complement: false, names: Set(l.literals))
                return (s.inverted, s)
            default:
                return (.all, .all)
            }
        }
    }

    /// `evt.res = SUCCESS` or `evt.failed = false`, not under a `not`: true only for
    /// calls that worked.
    static func onlySuccess(_ l: Leaf) -> Bool {
        guard let op = l.op, [.eq, .eqeq].contains(op), l.literals.count == 1 else { return false }
        switch l.field.spec.name {
        case "evt.res": return l.literals[0].uppercased() == "SUCCESS"
        case "evt.failed": return l.literals[0].lowercased() == "false"
        default: return false
        }
    }

    static func timing(_ e: RExpr) -> Timing {
        var t = Timing()
        walkSigned(e, negated: false) { l, negated in
            switch l.field.spec.availability {
            case .always: break
            case .exitOnly:
                if !negated && Self.onlySuccess(l) { t.exitForSuccess = true } else { t.exitAlways = true }
            case .exitWhenFdCreated: t.exitWhenFdCreated = true
            case .afterExec: t.exitOnExec = true
            }
            if l.field.spec.name == "evt.dir", let op = l.op, [.eq, .eqeq, .in].contains(op) {
                if l.literals.allSatisfy({ $0 == "<" }), !l.literals.isEmpty { t.exitForSuccess = true }
                if l.literals.allSatisfy({ $0 == ">" }), !l.literals.isEmpty { t.entryOnly = true }
            }
        }
        return t
    }

    /// Like walk, saying whether each leaf sits under an odd number of `not`s.
    static func walkSigned(_ e: RExpr, negated: Bool, _ f: (Leaf, Bool) -> Void) {
        switch e {
        case .and(let xs), .or(let xs): for x in xs { walkSigned(x, negated: negated, f) }
        case .not(let x): walkSigned(x, negated: !negated, f)
        case .constant: break
        case .leaf(let l): f(l, negated)
        }
    }

    static func walk(_ e: RExpr, _ f: (Leaf) -> Void) {
        switch e {
        case .and(let xs), .or(let xs): for x in xs { walk(x, f) }
        case .not(let x): walk(x, f)
        case .constant: break
        case .leaf(let l): f(l)
        }
    }

    /// The closure tree: constants folded, n-ary and/or as loops.
    static func predicate(_ e: RExpr) -> Predicate {
        switch e {
        case .constant(let b): return { _ in b }
        case .leaf(let l): return l.predicate
        case .not(let x):
            let p = predicate(x)
            return { !p($0) }
        case .and(let xs):
            var ps: [Predicate] = []
            for x in xs {
                if case .constant(true) = x { continue }
                if case .constant(false) = x { return { _ in false } }
                ps.append(predicate(x))
            }
            return allOf(ps)
        case .or(let xs):
            var ps: [Predicate] = []
            for x in xs {
                if case .constant(false) = x { continue }
                if case .constant(true) = x { return { _ in true } }
                ps.append(predicate(x))
            }
            return anyOf(ps)
        }
    }

    /// True when every predicate holds (true for none); short-circuits in order.
    static func allOf(_ ps: [Predicate]) -> Predicate {
        if ps.isEmpty { return { _ in true } }
        if ps.count == 1 { return ps[0] }
        if ps.count == 2 { let a = ps[0], b = ps[1]; return { a($0) && b($0) } }
        return { ctx in
            for p in ps where !p(ctx) { return false }
            return true
        }
    }

    /// True when some predicate holds (false for none); short-circuits in order.
    static func anyOf(_ ps: [Predicate]) -> Predicate {
        if ps.isEmpty { return { _ in false } }
        if ps.count == 1 { return ps[0] }
        if ps.count == 2 { let a = ps[0], b = ps[1]; return { a($0) || b($0) } }
        return { ctx in
            for p in ps where p(ctx) { return true }
            return false
        }
    }
}
