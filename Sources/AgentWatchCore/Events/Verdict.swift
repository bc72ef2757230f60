/// What the engine decided about an event; enforced by the tracer at the stop.
public enum Verdict: Sendable, Equatable {
    case allow
    /// The syscall does not run and returns -errno.
    case deny(errno: Int32)
    /// SIGKILL the offending process.
    case killProcess
    /// SIGKILL every traced process.
    case killTree
    /// Hold every traced task until the operator decides.
    case pause

    /// Combines two verdicts: the stronger one wins.
    public func merged(_ o: Verdict) -> Verdict { o.strength > strength ? o : self }

    var strength: Int {
        switch self {
        case .allow: return 0
        case .deny: return 1
        case .pause: return 2
        case .killProcess: return 3
        case .killTree: return 4
        }
    }
}

/// Where an event source delivers events.
public protocol EventSink: AnyObject {
    /// Every event as it happens. A syscall entry (`exit == nil`) is still
    /// stopped: the verdict is enforced before the syscall runs.
    func observe(_ event: Event, processes: ProcessTable) -> Verdict
    /// Each event once final (a syscall after its exit), in completion order.
    func record(_ event: Event, processes: ProcessTable)
    /// A message from the source about its own workings (escapes, lost tasks).
    func notice(_ text: String)
    /// End of a batch of `record` calls: a good moment to write buffered output.
    func flush()
    /// Every task is held; say what happens to the syscall (or exec) that asked
    /// for the pause: allow, deny or kill.
    func decidePause(_ event: Event, processes: ProcessTable) -> Verdict
}

extension EventSink {
    public func flush() {}
    /// Without an operator to ask, a pause fails closed.
    public func decidePause(_ event: Event, processes: ProcessTable) -> Verdict { .deny(errno: 1) }
}

/// Stacks of stopped threads, from the live tracer (a replayed trace has none).
public protocol StackSource: AnyObject {
    func stack(pid: Int32, tid: Int32) -> [StackFrame]
}
