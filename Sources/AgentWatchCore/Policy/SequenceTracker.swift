// Partial matches of one sequence rule, keyed by the `by` field. Memory is
// bounded: a few partials per key, a cap on keys, and expiry after `within`.

final class SequenceTracker {
    struct Partial {
        /// Index of the step this partial waits for.
        var next: Int
        /// Monotonic time of the first step.
        var start: UInt64
        var captures: [[FieldValue?]]
        var seqs: [UInt64]
        /// The rule's fields as each matched step saw them, so the alert explains
        /// every step, not only the last event.
        var seen: [String: String] = [:]
    }

    static let maxPartialsPerKey = 8
    static let maxKeys = 1024

    let seq: CompiledSequence
    let fields: [BoundField]
    private var partials: [String: [Partial]] = [:]

    init(_ seq: CompiledSequence, fields: [BoundField] = []) {
        self.seq = seq
        self.fields = fields
    }

    private func note(_ p: inout Partial, _ ctx: EvalContext) {
        for f in fields { if let v = f.value(ctx) { p.seen[f.text] = v.description } }
    }

    var keyCount: Int { partials.count }
    /// No partial match anywhere: no later step can match.
    var isIdle: Bool { partials.isEmpty }
    /// Counts partials started, advanced or completed: an event that leaves it
    /// unchanged left the tracker as it was.
    private(set) var changes = 0

    /// Feeds one event; returns the completed partial when the last step matched.
    func feed(_ ctx: EvalContext) -> Partial? {
        let name = ctx.syscallName
        let phase = ctx.phase
        // Where only the first step runs, an event it does not match changes
        // nothing (expired partials are pruned the next time their key is fed):
        // skip the key and the partials, most events are of this kind.
        if !laterStepRuns(name, phase) {
            let first = seq.steps[0]
            guard first.runs(name, phase) else { return nil }
            ctx.captures = []
            guard first.predicate(ctx) else { return nil }
        }
        guard let keyValue = seq.by.value(ctx) else { return nil }
        let key = keyValue.description
        let now = ctx.event.mono
        var list = partials[key] ?? []
        list.removeAll { now &- $0.start > seq.within }
        var completed: Partial?
        var i = 0
        while i < list.count {
            var p = list[i]
            let step = seq.steps[p.next]
            if step.runs(name, phase) {
                ctx.captures = p.captures
                if step.predicate(ctx) {
                    changes += 1
                    p.captures.append(capture(step, ctx))
                    p.seqs.append(ctx.event.seq)
                    note(&p, ctx)
                    p.next += 1
                    if p.next == seq.steps.count {
                        if completed == nil { completed = p }
                        list.remove(at: i)
                        continue
                    }
                    list[i] = p
                }
            }
            i += 1
        }
        let first = seq.steps[0]
        if first.runs(name, phase) {
            ctx.captures = []
            if first.predicate(ctx) {
                changes += 1
                var p = Partial(next: 1, start: now, captures: [capture(first, ctx)], seqs: [ctx.event.seq])
                note(&p, ctx)
                if seq.steps.count == 1 {
                    if completed == nil { completed = p }
                } else if let j = list.firstIndex(where: { $0.next == 1 && $0.captures == p.captures }) {
                    // Same opening again: keep one partial, restarted.
                    list[j] = p
                } else {
                    list.append(p)
                    if list.count > Self.maxPartialsPerKey { list.removeFirst() }
                }
            }
        }
        ctx.captures = []
        store(key, list, now: now)
        return completed
    }

    private var laterRuns: [String: (entry: Bool, exit: Bool)] = [:]

    private func laterStepRuns(_ name: String, _ phase: EventPhase) -> Bool {
        let r: (entry: Bool, exit: Bool)
        if let known = laterRuns[name] {
            r = known
        } else {
            let later = seq.steps.dropFirst()
            r = (later.contains { $0.runs(name, .entry) }, later.contains { $0.runs(name, .exit) })
            laterRuns[name] = r
        }
        return phase == .exit ? r.exit : r.entry
    }

    private func capture(_ step: CompiledStep, _ ctx: EvalContext) -> [FieldValue?] {
        step.captures.map { $0.value(ctx) }
    }

    private func store(_ key: String, _ list: [Partial], now: UInt64) {
        if list.isEmpty {
            partials[key] = nil
            return
        }
        if partials[key] == nil, partials.count >= Self.maxKeys {
            // Evict expired keys first, then the one whose newest partial is oldest.
            partials = partials.filter { _, ps in ps.contains { now &- $0.start <= seq.within } }
            if partials.count >= Self.maxKeys,
               let victim = partials.min(by: { ($0.value.map(\.start).max() ?? 0) < ($1.value.map(\.start).max() ?? 0) })?.key {
                partials[victim] = nil
            }
        }
        partials[key] = list
    }
}
