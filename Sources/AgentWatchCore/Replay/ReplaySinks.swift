import Glibc

/// Alerts as human lines on stdout: for a replay they are the result, not a side channel.
public final class StdoutAlertSink: AlertSink {
    let writer = TraceWriter(fd: 1)
    public init() {}
    public func emit(_ alert: Alert) {
        writer.addLine { j in
            j.bytes.append(contentsOf: alert.humanLine.utf8)
            j.newline()
        }
        // Batched: a trace full of matches must not cost a write per alert.
        if writer.buffer.bytes.count > 1 << 16 { writer.flush() }
    }
    public func flush() { writer.flush() }
}

/// The most severe priority alerted on: the replay's exit status.
public final class WorstPrioritySink: AlertSink {
    public private(set) var worst: Priority?
    public init() {}
    public func emit(_ alert: Alert) {
        if worst.map({ alert.priority > $0 }) ?? true { worst = alert.priority }
    }
    public func flush() {}

    /// Whether some alert was at `threshold` or more severe.
    public func reached(_ threshold: Priority) -> Bool { worst.map { $0 >= threshold } ?? false }
}
