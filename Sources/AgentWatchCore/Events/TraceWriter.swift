import Glibc

/// Appends trace lines to a file descriptor. Each batch goes to the kernel in
/// one write, so a crash or SIGKILL of agentwatch loses at most a partial line.
public final class TraceWriter {
    let fd: Int32
    let ownsFd: Bool
    var buffer = JSONBuilder(capacity: 1 << 16)
    public private(set) var failed: Int32?

    public init(path: String) throws(TraceFileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw TraceFileError(path: path, errno: errno) }
        self.fd = fd
        self.ownsFd = true
    }

    public init(fd: Int32) {
        self.fd = fd
        self.ownsFd = false
    }

    deinit {
        flush()
        if ownsFd { close(fd) }
    }

    public func header(_ h: TraceHeader) {
        TraceEncoder.header(h, into: &buffer)
        flush()
    }

    public func add(_ e: Event) { TraceEncoder.event(e, into: &buffer) }

    /// Any JSON line built by the caller (alerts share the trace).
    public func addLine(_ build: (inout JSONBuilder) -> Void) { build(&buffer) }

    public func flush() {
        if buffer.bytes.isEmpty || failed != nil { return }
        var off = 0
        let total = buffer.bytes.count
        buffer.bytes.withUnsafeBytes { raw in
            while off < total {
                let n = write(fd, raw.baseAddress! + off, total - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    failed = errno
                    return
                }
                off += n
            }
        }
        buffer.bytes.removeAll(keepingCapacity: true)
    }
}

public struct TraceFileError: Error, CustomStringConvertible {
    public let path: String
    public let errno: Int32
    public var description: String { "\(path): \(String(cString: strerror(errno)))" }
}
