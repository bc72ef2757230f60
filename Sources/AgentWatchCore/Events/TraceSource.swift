import Glibc

// One entry point for replay: give it a file, get events, whether the file is
// an agentwatch trace or an strace log.

public enum TraceFormat: String, Sendable, Equatable {
    case agentwatch
    case strace

    /// Trace lines are JSON objects; strace lines never start with `{`.
    /// Leading whitespace and a UTF-8 byte-order mark are ignored.
    public static func detect(firstBytes: some Sequence<UInt8>) -> TraceFormat {
        var sawBOM = 0
        for b in firstBytes {
            if sawBOM < 3 && b == [0xEF, 0xBB, 0xBF][sawBOM] { sawBOM += 1; continue }
            if b == 32 || b == 9 || b == 10 || b == 13 { continue }
            return b == UInt8(ascii: "{") ? .agentwatch : .strace
        }
        return .agentwatch
    }
}

/// Events from a trace of either format, in record order (`engineOrder()` for
/// the order the live engine saw).
public final class TraceSource: EventStream, SyscallLineSource {
    public let format: TraceFormat
    /// The agentwatch trace header; nil for strace logs and headerless traces.
    public let header: TraceHeader?
    private let stream: EventStream

    public var warnings: [TraceDiagnostic] { stream.warnings }

    public func decodeSyscalls(only filter: SyscallDecodeFilter) { stream.decodeSyscalls(only: filter) }

    func takeSyscallLines(where judge: @escaping (SyscallLine, SyscallNameTable) -> Bool) -> Bool {
        (stream as? SyscallLineSource)?.takeSyscallLines(where: judge) ?? false
    }

    /// Opens `path`. A path that is no file but the prefix of `strace -ff -o
    /// PREFIX` files (PREFIX.PID) opens those.
    public init(path: String, strace: StraceImporter.Options = StraceImporter.Options()) throws(TraceDiagnostic) {
        if access(path, F_OK) != 0, !StraceMergedLines.files(prefix: path).isEmpty {
            format = .strace
            header = nil
            stream = try StraceImporter(perPidPrefix: path, options: strace)
            return
        }
        let lines = try ByteLineReader(path: path)
        let kind = TraceFormat.detect(firstBytes: try lines.peek(64))
        format = kind
        switch kind {
        case .agentwatch:
            let reader = try TraceReader(lines: lines)
            header = reader.header
            stream = reader
        case .strace:
            header = nil
            stream = StraceImporter(input: StraceFileLines(lines), name: path, options: strace)
        }
    }

    /// Events held in memory, in either format (tests, pasted snippets).
    public init(string: String, name: String = "<memory>", strace: StraceImporter.Options = StraceImporter.Options()) throws(TraceDiagnostic) {
        format = TraceFormat.detect(firstBytes: string.utf8.prefix(64))
        switch format {
        case .agentwatch:
            let reader = try TraceReader(string: string, name: name)
            header = reader.header
            stream = reader
        case .strace:
            header = nil
            stream = StraceImporter(string: string, name: name, options: strace)
        }
    }

    public func next() throws -> Event? { try stream.next() }

    public func engineOrder(window: Int = EngineOrder.defaultWindow) -> EngineOrder {
        EngineOrder(source: self, window: window)
    }
}
