/// The recording end of a run: trace file and strace-like printing.
public final class RunRecorder: EventSink {
    let trace: TraceWriter?
    let print: Bool

    public init(trace: TraceWriter?, print: Bool) {
        self.trace = trace
        self.print = print
    }

    public func observe(_ event: Event, processes: ProcessTable) -> Verdict { .allow }

    public func record(_ event: Event, processes: ProcessTable) {
        trace?.add(event)
        if print { Stderr.line(EventPrinter.line(event)) }
    }

    /// Alerts go into the trace too, so a trace explains itself.
    public func alert(_ a: Alert) {
        trace?.addLine { a.json(into: &$0, asTraceEvent: true) }
    }

    public func notice(_ text: String) { Stderr.line("agentwatch: " + text) }

    public func flush() { trace?.flush() }
}
