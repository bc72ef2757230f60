import Glibc

// Opens what `replay` is given: a trace, an strace log or an `strace -ff`
// prefix, detected or as the user insists (`--format`).

public enum ReplayFormat: String, Sendable, CaseIterable {
    case auto, agentwatch, strace
}

/// One input, ready to be replayed in engine order.
public final class ReplayInput {
    public let path: String
    public let format: TraceFormat
    /// The trace header (resolvers to trust, start time); nil for strace logs.
    public let header: TraceHeader?
    /// Events in the order the live engine saw them.
    public let events: EngineOrder

    public init(path: String, format: ReplayFormat = .auto) throws(TraceDiagnostic) {
        self.path = path
        switch format {
        case .auto:
            let source = try TraceSource(path: path)
            self.format = source.format
            header = source.header
            events = source.engineOrder()
        case .agentwatch:
            let reader = try TraceReader(path: path)
            self.format = .agentwatch
            header = reader.header
            events = reader.engineOrder()
        case .strace:
            let importer: StraceImporter
            if access(path, F_OK) != 0, !StraceMergedLines.files(prefix: path).isEmpty {
                importer = try StraceImporter(perPidPrefix: path)
            } else {
                importer = try StraceImporter(path: path)
            }
            self.format = .strace
            header = nil
            events = EngineOrder(source: importer)
        }
    }

    /// Events handed over directly (inline test events, in-memory traces).
    public init(name: String, stream: EventStream, header: TraceHeader?, format: TraceFormat) {
        path = name
        self.format = format
        self.header = header
        events = EngineOrder(source: stream)
    }
}
