// A condition is written for every syscall its rule names, but the engine
// runs it for one syscall at one phase at a time. Folding what that fixes
// (evt.type and evt.dir tests become constants, branches for other syscalls
// drop out) leaves closures that only test what varies between events.

enum RuleSpecializer {
    /// `e` as seen by events of `syscall` at `phase`, constants folded.
    static func specialize(_ e: RExpr, syscall: String, phase: EventPhase) -> RExpr {
        switch e {
        case .constant: return e
        case .leaf(let l): return fixed(l, syscall: syscall, phase: phase).map { .constant($0) } ?? e
        case .not(let x):
            let s = specialize(x, syscall: syscall, phase: phase)
            if case .constant(let b) = s { return .constant(!b) }
            return .not(s)
        case .and(let xs):
            var kept: [RExpr] = []
            for x in xs {
                let s = specialize(x, syscall: syscall, phase: phase)
                if case .constant(let b) = s {
                    if !b { return .constant(false) }
                    continue
                }
                kept.append(s)
            }
            if kept.isEmpty { return .constant(true) }
            return kept.count == 1 ? kept[0] : .and(kept)
        case .or(let xs):
            var kept: [RExpr] = []
            for x in xs {
                let s = specialize(x, syscall: syscall, phase: phase)
                if case .constant(let b) = s {
                    if b { return .constant(true) }
                    continue
                }
                kept.append(s)
            }
            if kept.isEmpty { return .constant(false) }
            return kept.count == 1 ? kept[0] : .or(kept)
        }
    }

    /// The value of an evt.type or evt.dir test, which the syscall and phase decide
    /// (the same comparisons CheckCompiler makes on the field's text).
    private static func fixed(_ l: Leaf, syscall: String, phase: EventPhase) -> Bool? {
        guard l.field.transformers.isEmpty, l.field.arg == nil, !l.dynamic, let op = l.op, !l.literals.isEmpty else { return nil }
        let value: String
        switch l.field.spec.name {
        case "evt.type": value = syscall
        case "evt.dir": value = phase.rawValue
        default: return nil
        }
        switch op {
        case .eq, .eqeq: return l.literals[0] == value
        case .ne: return l.literals[0] != value
        case .in, .intersects: return l.literals.contains(value)
        default: return nil
        }
    }

    /// What specialized predicates share inside one engine.
    struct Shared {
        let memo: FdMemo
        let cache: FieldValueCache
    }

    /// The closure tree of a specialized condition. Leaves read their field
    /// through the engine's per-event cache. Subtrees that only read the
    /// descriptor's kind and name go through the memo: agents open the same
    /// paths over and over, and those subtrees (a dozen path tests) then cost
    /// one lookup.
    static func predicate(_ e: RExpr, _ shared: Shared, memoize: Bool = true) -> Predicate {
        if memoize, worthMemo(e) {
            let inner = predicate(e, shared, memoize: false)
            let slot = shared.memo.newSlot()
            return { ctx in ctx.fdMemoized(slot, inner) }
        }
        switch e {
        case .constant(let b):
            return { _ in b }
        case .leaf(let l):
            return cachedLeaf(l, shared.cache) ?? l.predicate
        case .not(let x):
            let p = predicate(x, shared, memoize: memoize)
            return { !p($0) }
        case .and(let xs):
            return TypeAnalysis.allOf(grouped(xs, memoize, and: true).map { predicate($0, shared, memoize: memoize) })
        case .or(let xs):
            return TypeAnalysis.anyOf(grouped(xs, memoize, and: false).map { predicate($0, shared, memoize: memoize) })
        }
    }

    /// The leaf compiled again against its field's cache slot; nil keeps the original.
    private static func cachedLeaf(_ l: Leaf, _ cache: FieldValueCache) -> Predicate? {
        guard !l.operands.isEmpty || l.op == nil else { return nil }
        var f = l.field
        f.cacheSlot = cache.slot(for: f.text)
        return try? CheckCompiler.compile(f, l.op, l.operands)
    }

    /// Operands of an and/or with the descriptor-keyed ones gathered into one
    /// node where the first of them stood, so they are memoized together.
    /// Conditions have no side effects: the order of operands changes nothing.
    private static func grouped(_ xs: [RExpr], _ memoize: Bool, and: Bool) -> [RExpr] {
        guard memoize else { return xs }
        let keyed = xs.filter(fdKeyedOnly)
        guard keyed.count > 1 else { return xs }
        var out: [RExpr] = []
        var placed = false
        for x in xs {
            if fdKeyedOnly(x) {
                if !placed { out.append(and ? .and(keyed) : .or(keyed)); placed = true }
            } else {
                out.append(x)
            }
        }
        return out
    }

    /// Fields whose value is a function of the descriptor's kind and name alone.
    static let fdKeyed: Set<String> = ["fd.name", "fd.directory", "fd.filename", "fd.type", "fd.typechar"]

    private static func fdKeyedOnly(_ e: RExpr) -> Bool {
        var pure = true
        TypeAnalysis.walk(e) { l in
            if l.dynamic || !fdKeyed.contains(l.field.spec.name) { pure = false }
        }
        return pure
    }

    /// A subtree whose every leaf is a fixed test of an fd-keyed field, costly
    /// enough that a lookup is cheaper: several tests, or one scanning the path.
    private static func worthMemo(_ e: RExpr) -> Bool {
        if case .constant = e { return false }
        guard fdKeyedOnly(e) else { return false }
        var leaves = 0
        var scans = false
        TypeAnalysis.walk(e) { l in
            leaves += 1
            switch l.op {
            case .eq?, .eqeq?, .ne?, .in?, .startswith?, nil: break
            default: scans = true
            }
        }
        return leaves > 1 || scans
    }
}

/// Results of fd-keyed subtrees per (descriptor kind, name), one slot per
/// subtree. Bounded: the table is dropped whole when it fills.
final class FdMemo {
    struct Key: Hashable {
        let kind: FdInfo.Kind?
        let name: String?
    }

    /// 0 not computed yet, 1 false, 2 true; grows as slots are added.
    final class Row {
        var states: [UInt8]
        init(count: Int) { states = Array(repeating: 0, count: count) }
    }

    static let maxRows = 4096
    private(set) var slots = 0
    /// Socket values shared by every event the engine evaluates (see ValueMemo).
    let ips = IPMemo()
    let socketNames = SocketNameMemo()
    private var rows: [Key: Row] = [:]

    func newSlot() -> Int {
        slots += 1
        return slots - 1
    }

    func row(_ key: Key) -> Row {
        if let r = rows[key] { return r }
        if rows.count >= Self.maxRows { rows.removeAll(keepingCapacity: true) }
        let r = Row(count: slots)
        rows[key] = r
        return r
    }
}
