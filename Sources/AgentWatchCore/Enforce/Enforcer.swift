public enum EnforcementMode: String, Sendable {
    /// Actions happen: deny, kill, pause.
    case enforce
    /// Every action becomes an alert; nothing is denied, paused or killed.
    case audit
}

/// Where alerts go besides the trace.
public protocol AlertSink: AnyObject {
    func emit(_ alert: Alert)
    func flush()
}

/// The engine end of a run: evaluates each event, turns matches into alerts
/// and a verdict the tracer enforces, and hands final events to the recorder.
public final class Enforcer: EventSink {
    let engine: PolicyEngine
    let mode: EnforcementMode
    let recorder: RunRecorder
    let alertSinks: [AlertSink]
    let pause: PauseController
    /// The latest alert: a pause decision names it. Only one is kept, so a
    /// replay of a long trace stays in constant memory.
    public private(set) var lastAlert: Alert?
    /// Sees every match, `log` ones included (the sinks do not): replay tests, summaries.
    public var onMatch: ((Alert) -> Void)?
    public private(set) var violationKill = false
    /// Where alert stacks come from (the live tracer); nil for replays.
    public weak var stacks: StackSource?

    public init(engine: PolicyEngine, mode: EnforcementMode, recorder: RunRecorder, alertSinks: [AlertSink],
                pause: PauseController) {
        self.engine = engine
        self.mode = mode
        self.recorder = recorder
        self.alertSinks = alertSinks
        self.pause = pause
    }

    public func observe(_ event: Event, processes: ProcessTable) -> Verdict {
        let matches = engine.evaluate(event, processes: processes)
        if matches.isEmpty { return .allow }
        var verdict = Verdict.allow
        let atEntry: Bool = {
            if case .syscall(let sc) = event.kind { return sc.exit == nil }
            return false
        }()
        // One stack per event, taken while the thread is still stopped.
        let stack = event.stack ?? stacks?.stack(pid: event.pid, tid: event.tid) ?? []
        for m in matches {
            let (done, intended, v) = decide(m, atEntry: atEntry, isExec: { if case .exec = event.kind { return true }; return false }())
            verdict = verdict.merged(v)
            var alert = Alert(match: m, event: event, processes: processes, action: done, intended: intended)
            alert.stack = stack
            lastAlert = alert
            onMatch?(alert)
            recorder.alert(alert)
            if m.action != .log {
                for s in alertSinks { s.emit(alert) }
            }
        }
        if case .killTree = verdict { violationKill = true }
        if case .killProcess = verdict { violationKill = true }
        return verdict
    }

    /// (what is done, what the rule wanted when different, the verdict).
    func decide(_ m: RuleMatch, atEntry: Bool, isExec: Bool) -> (String, String?, Verdict) {
        let wanted = m.action.rawValue
        if mode == .audit && (m.action == .deny || m.action == .kill || m.action == .pause) {
            return ("alert", wanted, .allow)
        }
        switch m.action {
        case .log: return ("log", nil, .allow)
        case .alert: return ("alert", nil, .allow)
        case .deny:
            // After the fact nothing can be refused any more.
            return atEntry ? ("deny", nil, .deny(errno: m.errno)) : ("alert", wanted, .allow)
        case .kill:
            return ("kill", nil, m.scope == .process ? .killProcess : .killTree)
        case .pause:
            return atEntry || isExec ? ("pause", nil, .pause) : ("alert", wanted, .allow)
        }
    }

    public func decidePause(_ event: Event, processes: ProcessTable) -> Verdict {
        let last = lastAlert?.seq == event.seq ? lastAlert : nil
        let v = pause.decide(alert: last, event: event)
        if case .killTree = v { violationKill = true }
        return v
    }

    public func record(_ event: Event, processes: ProcessTable) { recorder.record(event, processes: processes) }
    public func notice(_ text: String) { recorder.notice(text) }
    public func flush() {
        recorder.flush()
        for s in alertSinks { s.flush() }
    }
}

/// Alerts as human lines on stderr.
public final class StderrAlertSink: AlertSink {
    public init() {}
    public func emit(_ alert: Alert) { Stderr.line(alert.humanLine) }
    public func flush() {}
}

/// Alerts as JSON Lines on a descriptor (a file, or stdout for `-`).
public final class JSONAlertSink: AlertSink {
    let writer: TraceWriter
    public init(writer: TraceWriter) { self.writer = writer }
    public func emit(_ alert: Alert) {
        writer.addLine { alert.json(into: &$0, asTraceEvent: false) }
        writer.flush()
    }
    public func flush() { writer.flush() }
}
