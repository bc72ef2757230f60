// A rule ready for evaluation.

public struct CompiledRule: Sendable {
    public let name: String
    public let desc: String
    public let priority: Priority
    public let action: PolicyAction
    public let errno: Int32
    public let scope: KillScope
    public let tags: [String]
    public let location: SourceLocation
    /// Syscalls the rule can match.
    public let eventTypes: TypeSet
    let predicate: Predicate
    /// The resolved condition `predicate` was built from: the engine specializes
    /// it per syscall and phase (see RuleSpecializer). Nil for sequences.
    let condition: RExpr?
    let timing: Timing
    let output: OutputFormat
    /// Condition fields then output fields, reported with each match.
    let fields: [BoundField]
    /// How many of `fields` come from the condition (the rest only from the output).
    let conditionFieldCount: Int
    let sequence: CompiledSequence?
    /// The condition (or a sequence step) can hold for an open of a directory.
    var mayMatchDirectoryOpen = true
    /// The condition (or a step) can hold for a write that sends nothing on a socket.
    var mayMatchNonSocketWrite = true
    /// A native clone whose flags hold none of these cannot match; nil: any clone may.
    var cloneStopFlags: UInt64?
    /// The syscalls it can match when made natively (x86_64); nil: all of eventTypes.
    var nativeTypes: Set<String>?

    /// Whether the rule is evaluated at this syscall's exit rather than its entry.
    public func needsExit(_ syscall: String) -> Bool {
        if let s = sequence { return s.steps.contains { $0.types.contains(syscall) && $0.timing.needsExit(syscall) } }
        return timing.needsExit(syscall)
    }

    public var isSequence: Bool { sequence != nil }

    /// Every field the rule reads (condition, steps, output), once each.
    public var fieldNames: [String] {
        var seen = Set<String>()
        var out: [String] = []
        for f in fields + (sequence?.steps.flatMap(\.captures) ?? []) where seen.insert(f.spec.name).inserted {
            out.append(f.spec.name)
        }
        return out
    }

    /// The /proc facts its fields need a live run to gather.
    public var procFacts: ProcFactNeeds {
        var needs: ProcFactNeeds = []
        for f in fields + (sequence.map { $0.steps.flatMap(\.captures) + [$0.by] } ?? []) { needs.formUnion(f.spec.reads) }
        return needs
    }

    /// Condition fields that never have a value for a process traced on a host
    /// (no container): comparisons on them are never true.
    public var fieldsAbsentOnHost: [String] {
        var seen = Set<String>()
        return fields.prefix(conditionFieldCount).map(\.spec.name)
            .filter { FieldTable.absentOnHost.contains($0) && seen.insert($0).inserted }
    }
}

struct CompiledStep: Sendable {
    let predicate: Predicate
    /// The resolved condition `predicate` was built from (the verdict memo reads its fields).
    var condition: RExpr? = nil
    let types: TypeSet
    let timing: Timing
    /// Values later steps refer to, captured when this step matches.
    let captures: [BoundField]
    /// The step can hold for an open of a directory.
    var mayMatchDirectoryOpen = true
    /// The step can hold for a write that sends nothing on a socket.
    var mayMatchNonSocketWrite = true
    /// The syscalls the step can match when made natively.
    var nativeTypes: Set<String> = []

    func runs(_ syscall: String, _ phase: EventPhase) -> Bool {
        guard types.contains(syscall) else { return false }
        let exit = timing.needsExit(syscall)
        if timing.entryOnly && exit { return false }
        return exit == (phase == .exit)
    }
}

struct CompiledSequence: Sendable {
    let steps: [CompiledStep]
    let by: BoundField
    let within: UInt64
}
