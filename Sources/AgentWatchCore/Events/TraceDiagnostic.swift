// Errors and warnings of the trace readers, in the `file:line: message` form
// editors and terminals turn into links.

/// A problem found in trace input. Thrown when reading cannot go on; collected
/// as a warning when it can (a truncated last line).
public struct TraceDiagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based line number; 0 when the problem is not about one line.
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

/// Anything that yields events in record order: a trace file, an imported strace
/// log. A class, because readers own file descriptors and buffers.
public protocol EventStream: AnyObject {
    /// The next event, or nil at the end. Throws `TraceDiagnostic`.
    func next() throws -> Event?
    /// Problems that did not stop reading (truncated last line, skipped records).
    var warnings: [TraceDiagnostic] { get }
    /// Lets the stream hand over syscalls the filter does not want hollow (see SyscallDecodeFilter).
    func decodeSyscalls(only filter: SyscallDecodeFilter)
}

extension EventStream {
    /// Reads everything that is left (tests and small inputs; traces can be huge).
    public func readAll() throws -> [Event] {
        var out: [Event] = []
        while let e = try next() { out.append(e) }
        return out
    }
}
