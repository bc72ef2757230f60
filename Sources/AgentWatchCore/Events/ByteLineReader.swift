import Glibc

// Line splitting over one reusable buffer: a trace line is handed to its parser
// as a pointer into the buffer, so reading costs no allocation per line and
// memory stays constant however long the trace is.

final class ByteLineReader {
    /// A line without its newline; valid only until the next call.
    struct Line {
        var bytes: UnsafeBufferPointer<UInt8>
        var number: Int
        /// False for a last line cut short (no newline before the end of input).
        var terminated: Bool
    }

    let name: String
    private var fd: Int32
    private let ownsFd: Bool
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var start = 0
    private var end = 0
    private var atEOF = false
    private(set) var lineNumber = 0
    /// A line longer than this is not a trace line; it fails instead of eating memory.
    static let maxLine = 256 << 20

    /// Reads the file at `path`.
    init(path: String, bufferSize: Int = 1 << 20) throws(TraceDiagnostic) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw TraceDiagnostic(file: path, line: 0, message: String(cString: strerror(errno))) }
        self.name = path
        self.fd = fd
        self.ownsFd = true
        self.capacity = max(bufferSize, 64)
        self.storage = .allocate(capacity: capacity)
    }

    /// Reads from a descriptor the caller keeps open (stdin, a pipe).
    init(fd: Int32, name: String, bufferSize: Int = 1 << 20) {
        self.name = name
        self.fd = fd
        self.ownsFd = false
        self.capacity = max(bufferSize, 64)
        self.storage = .allocate(capacity: capacity)
    }

    /// Reads from memory: the whole input is the buffer.
    init(bytes: [UInt8], name: String) {
        self.name = name
        self.fd = -1
        self.ownsFd = false
        self.capacity = max(bytes.count, 1)
        self.storage = .allocate(capacity: capacity)
        bytes.withUnsafeBufferPointer { b in
            if let base = b.baseAddress { storage.update(from: base, count: b.count) }
        }
        self.end = bytes.count
        self.atEOF = true
    }

    deinit {
        storage.deallocate()
        if ownsFd && fd >= 0 { close(fd) }
    }

    /// The first bytes of the input without consuming them (format detection).
    func peek(_ n: Int) throws(TraceDiagnostic) -> [UInt8] {
        while end - start < n && !atEOF { try fill() }
        return Array(UnsafeBufferPointer(start: storage + start, count: min(n, end - start)))
    }

    /// The next line, or nil at the end of input.
    func next() throws(TraceDiagnostic) -> Line? {
        var scanFrom = start
        while true {
            if let nl = memchr(storage + scanFrom, 10, end - scanFrom) {
                let stop = storage.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                return take(upTo: stop, consumed: stop + 1, terminated: true)
            }
            if atEOF {
                if start == end { return nil }
                return take(upTo: end, consumed: end, terminated: false)
            }
            let scanned = end - start
            try fill()
            scanFrom = start + scanned
        }
    }

    private func take(upTo stop: Int, consumed: Int, terminated: Bool) -> Line {
        var last = stop
        // CRLF files (a log copied through Windows) read like LF ones.
        if terminated && last > start && storage[last - 1] == 13 { last -= 1 }
        let line = Line(bytes: UnsafeBufferPointer(start: storage + start, count: last - start),
                        number: lineNumber + 1, terminated: terminated)
        lineNumber += 1
        start = consumed
        return line
    }

    /// Moves the unread tail to the front (growing the buffer for a long line) and reads more.
    private func fill() throws(TraceDiagnostic) {
        if start > 0 {
            let pending = end - start
            if pending > 0 { memmove(storage, storage + start, pending) }
            start = 0
            end = pending
        }
        if end == capacity {
            if capacity >= Self.maxLine {
                throw TraceDiagnostic(file: name, line: lineNumber + 1, message: "line longer than \(Self.maxLine) bytes")
            }
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: storage, count: end)
            storage.deallocate()
            storage = bigger
            capacity *= 2
        }
        while true {
            let n = read(fd, storage + end, capacity - end)
            if n < 0 {
                if errno == EINTR { continue }
                throw TraceDiagnostic(file: name, line: lineNumber + 1, message: String(cString: strerror(errno)))
            }
            if n == 0 { atEOF = true } else { end += n }
            return
        }
    }
}
