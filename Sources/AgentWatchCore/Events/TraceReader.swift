// Streams a trace file (format 1) back into the header and events it was
// written from, in file (record) order. Memory stays constant: one read
// buffer, one event at a time. `engineOrder` re-sorts into the order the
// live engine saw.

public final class TraceReader: EventStream, SyscallLineSource {
    public let name: String
    /// The first line's header; nil for a headerless stream (inline events).
    public private(set) var header: TraceHeader?
    public private(set) var warnings: [TraceDiagnostic] = []
    /// Valid lines that are no event (alerts, event kinds newer than this reader).
    public private(set) var skippedRecords = 0
    /// Line number of the last line read.
    public var lineNumber: Int { lines.lineNumber }

    private let lines: ByteLineReader
    private let strings = StringCache()
    private let texts = TextInterner()
    private var names = SyscallNameTable()
    private var contents = SyscallContentCache()
    private var firstEvent: Event?
    private var decodeFilter: SyscallDecodeFilter?
    private var finished = false
    static let maxWarnings = 100

    public convenience init(path: String) throws(TraceDiagnostic) {
        try self.init(lines: ByteLineReader(path: path))
    }

    /// Reads a descriptor the caller keeps open (stdin).
    public convenience init(fd: Int32, name: String) throws(TraceDiagnostic) {
        try self.init(lines: ByteLineReader(fd: fd, name: name))
    }

    /// Reads lines held in memory: tests, events pasted inline.
    public convenience init(string: String, name: String = "<memory>") throws(TraceDiagnostic) {
        try self.init(lines: ByteLineReader(bytes: Array(string.utf8), name: name))
    }

    public convenience init(bytes: [UInt8], name: String = "<memory>") throws(TraceDiagnostic) {
        try self.init(lines: ByteLineReader(bytes: bytes, name: name))
    }

    init(lines: ByteLineReader) throws(TraceDiagnostic) {
        self.lines = lines
        self.name = lines.name
        // The header, when there is one, is the first line; an event there means a headerless stream.
        while let record = try nextRecord() {
            switch record {
            case .header(let h): header = h
            case .event(let e): firstEvent = e
            case .other: continue
            }
            break
        }
    }

    public func next() throws(TraceDiagnostic) -> Event? {
        if let e = firstEvent {
            firstEvent = nil
            return e
        }
        while let record = try nextRecord() {
            switch record {
            case .event(let e): return e
            case .header:
                throw TraceDiagnostic(file: name, line: lines.lineNumber, message: "a second trace header (concatenated traces?)")
            case .other: continue
            }
        }
        return nil
    }

    public func decodeSyscalls(only filter: SyscallDecodeFilter) {
        decodeFilter = filter
        // Names keep the decoding they were first read with: start them over.
        names = SyscallNameTable()
        contents = SyscallContentCache()
    }

    /// Syscall lines in the writer's own shape are shown to `judge` before an
    /// event is made of them; the ones it takes are consumed there.
    private var lineJudge: ((SyscallLine, SyscallNameTable) -> Bool)?

    func takeSyscallLines(where judge: @escaping (SyscallLine, SyscallNameTable) -> Bool) -> Bool {
        lineJudge = judge
        return true
    }

    /// An engine-order view of the rest of this trace (see `EngineOrder`).
    public func engineOrder(window: Int = EngineOrder.defaultWindow) -> EngineOrder {
        EngineOrder(source: self, window: window)
    }

    private func nextRecord() throws(TraceDiagnostic) -> TraceRecord? {
        if finished { return nil }
        while let line = try lines.next() {
            if isBlank(line.bytes) { continue }
            if let s = TraceLineFastPath.syscall(line.bytes, names: names, filter: decodeFilter, interner: texts, contents: contents) {
                if let judge = lineJudge, judge(s, names) { continue }
                if let e = try? TraceLineFastPath.event(s, line.bytes, names: names, interner: texts, cache: strings,
                                                        file: name, lineNumber: line.number) {
                    return .event(e)
                }
                // Arguments that do not decode: the general decoder says where.
            } else if let e = TraceLineFastPath.process(line.bytes, cache: strings) {
                return .event(e)
            }
            let decoded: TraceRecord
            do {
                decoded = try TraceLineDecoder.decode(line.bytes, cache: strings, only: decodeFilter, interner: texts, file: name, lineNumber: line.number)
            } catch {
                if error.atEnd && !line.terminated {
                    // The writer was killed mid-line: everything before it is good.
                    warn(line.number, "last line is cut short (\(error.message)); ignored")
                    finished = true
                    return nil
                }
                throw TraceDiagnostic(file: name, line: line.number, message: "\(error.message) (column \(error.offset + 1))")
            }
            if case .other(let what) = decoded {
                skippedRecords += 1
                // Alert lines belong in traces (run writes them); only unknown kinds deserve a word.
                if what != TraceLineDecoder.alertRecord { warn(line.number, "skipped \(what)") }
            }
            return decoded
        }
        finished = true
        return nil
    }

    private func warn(_ line: Int, _ message: String) {
        if warnings.count < Self.maxWarnings {
            warnings.append(TraceDiagnostic(file: name, line: line, message: message))
        }
    }

    private func isBlank(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        for c in b where c != 32 && c != 9 && c != 13 { return false }
        return true
    }
}
