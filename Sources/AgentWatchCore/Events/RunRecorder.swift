/// The recording end of a live run: trace file and strace-like printing.
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

    public func notice(_ text: String) { Stderr.line("agentwatch: " + text) }

    public func flush() { trace?.flush() }
}
