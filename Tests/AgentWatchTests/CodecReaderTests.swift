import Testing
import Glibc
@testable import AgentWatchCore

private let header = #"{"agentwatch_trace":1,"version":"t","host":"h","command":["x"],"start_wall":1,"tracer_pid":2}"#

private func line(_ seq: Int, _ extra: String = "") -> String {
    #"{"seq":\#(seq),"mono":0,"wall":0,"pid":10,"tid":10,"ev":"signal","sig":17\#(extra)}"#
}

@Test func codecMalformedLineReportsFileAndLine() throws {
    let text = [header, line(1), #"{"seq":2,"pid":10,"ev":"signal","sig":"x"}"#, #"{"seq":3,,}"#].joined(separator: "\n") + "\n"
    let r = try TraceReader(string: text, name: "bad.jsonl")
    #expect(try r.next()?.seq == 1)
    let e = #expect(throws: TraceDiagnostic.self) { _ = try r.next() }
    #expect(e?.file == "bad.jsonl")
    #expect(e?.line == 3)
    #expect(e?.description.hasPrefix("bad.jsonl:3: expected a number") == true)
}

@Test func codecTruncatedLastLineIsAWarning() throws {
    let text = [header, line(1), line(2), #"{"seq":3,"mono":0,"wall":0,"pid":10,"ti"#].joined(separator: "\n")
    let r = try TraceReader(string: text, name: "t.jsonl")
    let events = try r.readAll()
    #expect(events.map(\.seq) == [1, 2])
    #expect(r.warnings.count == 1)
    #expect(r.warnings.first?.description.hasPrefix("t.jsonl:4: last line is cut short") == true)
}

@Test func codecCutLineInTheMiddleIsAnError() throws {
    // Cut short but followed by more lines: damage, not a killed writer.
    let text = [header, #"{"seq":1,"pid":10,"#, line(2)].joined(separator: "\n") + "\n"
    let r = try TraceReader(string: text)
    #expect(throws: TraceDiagnostic.self) { _ = try r.readAll() }
}

@Test func codecLastLineWithoutNewlineButCompleteIsRead() throws {
    let r = try TraceReader(string: header + "\n" + line(1))
    #expect(try r.readAll().count == 1)
    #expect(r.warnings.isEmpty)
}

@Test func codecHeaderlessInlineEventsAndUnknownRecords() throws {
    let text = [line(1), #"{"alert":"rule x","seq_ref":1}"#, #"{"seq":2,"pid":3,"ev":"teleport"}"#,
                #"{"ev":"exit","pid":5,"seq":3,"code":0,"process":true,"future_field":[1.5,{"a":null}]}"#].joined(separator: "\n")
    let r = try TraceReader(string: text)
    #expect(r.header == nil)
    let events = try r.readAll()
    #expect(events.map(\.seq) == [1, 3])
    #expect(events.last?.kind == .exit(Exit(code: 0, signal: nil, processEnded: true)))
    #expect(events.last?.tid == 5)
    #expect(r.skippedRecords == 2)
}

@Test func codecRejectsOtherFormats() throws {
    #expect(throws: TraceDiagnostic.self) { _ = try TraceReader(string: #"{"agentwatch_trace":2}"#) }
}

@Test func codecStreamsAFileThroughASmallBuffer() throws {
    var gen = CodecEventGen(rng: CodecRNG(state: 99))
    let events = (0..<500).map { gen.event(seq: UInt64($0 + 1)) }
    let path = "/tmp/agentwatch-codec-\(getpid()).jsonl"
    let bytes = codecEncode(TraceHeader(agentwatchVersion: "v", host: "h", command: [], startWall: 0, tracerPid: 1), events)
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    defer { unlink(path) }
    // A buffer smaller than most lines exercises refills and growth.
    let r = try TraceReader(lines: ByteLineReader(path: path, bufferSize: 64))
    #expect(try r.readAll() == events)
}

@Test func codecMissingFileIsAnError() {
    #expect(throws: TraceDiagnostic.self) { _ = try TraceReader(path: "/nonexistent/trace.jsonl") }
}
