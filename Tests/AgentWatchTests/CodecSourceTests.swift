import Testing
import Glibc
@testable import AgentWatchCore

@Test func codecDetectsFormats() {
    #expect(TraceFormat.detect(firstBytes: Array(#"{"agentwatch_trace":1}"#.utf8)) == .agentwatch)
    #expect(TraceFormat.detect(firstBytes: [0xEF, 0xBB, 0xBF] + Array("  \n{\"seq\":1}".utf8)) == .agentwatch)
    #expect(TraceFormat.detect(firstBytes: Array("12345 execve(\"/bin/sh\", [\"sh\"], 0x1) = 0".utf8)) == .strace)
    #expect(TraceFormat.detect(firstBytes: Array("[pid  7] getpid() = 7".utf8)) == .strace)
    #expect(TraceFormat.detect(firstBytes: Array("16:02:24.536997 execve(".utf8)) == .strace)
}

@Test func codecSourceReadsEitherFormat() throws {
    let e = Event(seq: 1, mono: 0, wall: 0, pid: 5, tid: 5, kind: .exit(Exit(code: 0, signal: nil, processEnded: true)))
    let trace = String(decoding: codecEncode(TraceHeader(agentwatchVersion: "v", host: "h", command: ["x"], startWall: 0, tracerPid: 1), [e]), as: UTF8.self)
    let a = try TraceSource(string: trace)
    #expect(a.format == .agentwatch && a.header?.command == ["x"])
    #expect(try a.readAll() == [e])

    let s = try TraceSource(string: "9 getpid() = 9\n9 +++ exited with 0 +++\n")
    #expect(s.format == .strace && s.header == nil)
    let events = try s.readAll()
    #expect(events.count == 3)
    #expect(events.last?.kind == .exit(Exit(code: 0, signal: nil, processEnded: true)))

    let ff = try TraceSource(path: straceFixture("ff/trace"))
    #expect(ff.format == .strace)
    #expect(try ff.engineOrder().readAll().count == 25)  // 17 records, 8 with an exit
    let file = try TraceSource(path: straceFixture("interleaved.log"))
    let fileEvents = try file.readAll()
    #expect(file.format == .strace && fileEvents.count > 10)
}

private func syscallEvent(_ seq: UInt64, exit xseq: UInt64?, pid: Int32 = 1) -> Event {
    Event(seq: seq, mono: seq, wall: seq, pid: pid, tid: pid, kind: .syscall(Syscall(
        name: "read", nr: 0, arch: .x86_64, args: [], exit: xseq.map { _ in SyscallExit(ret: 0) }, exitSeq: xseq, denied: xseq != nil)))
}

private func signalEvent(_ seq: UInt64) -> Event {
    Event(seq: seq, mono: seq, wall: seq, pid: 2, tid: 2, kind: .signal(SignalDelivery(signal: 17, senderPid: nil)))
}

/// Feeds events as an EventStream.
private final class CodecArrayStream: EventStream {
    var events: [Event]
    var warnings: [TraceDiagnostic] = []
    init(_ e: [Event]) { events = e }
    func next() throws -> Event? { events.isEmpty ? nil : events.removeFirst() }
}

/// The sequence number each view was released at.
private func keys(_ views: [Event]) -> [UInt64] {
    views.map { v in
        if let sc = v.asSyscall, sc.exit != nil, let x = sc.exitSeq { return x }
        return v.seq
    }
}

@Test func codecEngineOrderInterleavesEntriesAndExits() throws {
    // Completion order: a long read (1→5) written after what happened meanwhile.
    let records = [signalEvent(2), syscallEvent(3, exit: 4, pid: 3), syscallEvent(1, exit: 5), signalEvent(6)]
    let o = EngineOrder(source: CodecArrayStream(records))
    let views = try o.readAll()
    #expect(keys(views) == [1, 2, 3, 4, 5, 6])
    // The entry view: no result, not denied yet, exitSeq kept to pair it.
    #expect(views[0].asSyscall?.exit == nil && views[0].asSyscall?.denied == false && views[0].asSyscall?.exitSeq == 5)
    #expect(views[4] == records[2])
    #expect(o.skippedNumbers == 0 && o.lateViews == 0)
}

@Test func codecEngineOrderFlushesGapsInOrderAtEnd() throws {
    // 3 never comes (its writer died): the rest still comes out in order.
    let o = EngineOrder(source: CodecArrayStream([signalEvent(5), signalEvent(1), signalEvent(4), signalEvent(2)]))
    #expect(keys(try o.readAll()) == [1, 2, 4, 5])
    #expect(o.skippedNumbers == 1)
}

@Test func codecEngineOrderWindowGivesUpOnOldNumbers() throws {
    // Entry 1 arrives after 10 numbers but the window holds 4: 1 is given up when 5
    // arrives, so 2…10 flow on and 1 comes out late, before its exit 11.
    var records = (2...10).map { signalEvent(UInt64($0)) }
    records.append(syscallEvent(1, exit: 11))
    let o = EngineOrder(source: CodecArrayStream(records), window: 4)
    let views = try o.readAll()
    #expect(keys(views) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 11])
    #expect(o.skippedNumbers == 1 && o.lateViews == 1)
}

@Test func codecReaderEngineOrderOnTheLiveWritersOrder() throws {
    // As TraceSession writes: spawn 1; execve entry 2, exec 3, execve exit 4.
    let spawn = Event(seq: 1, mono: 0, wall: 0, pid: 9, tid: 9, kind: .spawn(Spawn(ppid: 1, via: "root", exe: "/bin/sh", argv: ["sh"], cwd: "/", uid: 0, comm: "sh")))
    let exec = Event(seq: 3, mono: 0, wall: 0, pid: 9, tid: 9, kind: .exec(Exec(exe: "/usr/bin/dash", path: "/bin/sh", argv: ["sh"], cwd: "/", comm: "sh")))
    let execve = Event(seq: 2, mono: 0, wall: 0, pid: 9, tid: 9, kind: .syscall(Syscall(
        name: "execve", nr: 59, arch: .x86_64, args: [Arg("filename", .path("/bin/sh", raw: "/bin/sh"))], exit: SyscallExit(ret: 0), exitSeq: 4)))
    let r = try TraceReader(bytes: codecEncode(nil, [spawn, exec, execve]))
    let views = try r.engineOrder().readAll()
    #expect(keys(views) == [1, 2, 3, 4])
    #expect(views[1].asSyscall?.name == "execve" && views[1].asSyscall?.exit == nil)
    if case .exec = views[2].kind {} else { Issue.record("exec third") }
}

/// The agentwatch binary next to the test bundle, when it was built.
private func agentwatchBinary() -> String? {
    let root = String(#filePath).split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
    for c in ["/.build/debug/agentwatch", "/.build/release/agentwatch"] where access(root + c, X_OK) == 0 { return root + c }
    return nil
}

@Test(.enabled(if: agentwatchBinary() != nil))
func codecReencodesALiveTraceByteForByte() throws {
    guard let bin = agentwatchBinary() else { return }
    let dir = codecScratch("live")
    defer { codecShell("rm -rf \(dir)") }
    let status = codecShell("\(bin) run --trace \(dir)/t.jsonl -- /bin/sh -c 'ls / >/dev/null; cat /etc/hostname >/dev/null' >/dev/null 2>&1")
    guard status == 0 else {
        // No ptrace here (a sandbox): nothing to compare.
        return
    }
    let r = try TraceReader(path: dir + "/t.jsonl")
    let events = try r.readAll()
    #expect(events.count > 20)
    var j = JSONBuilder()
    if let h = r.header { TraceEncoder.header(h, into: &j) }
    for e in events { TraceEncoder.event(e, into: &j) }
    let fd = open(dir + "/t.jsonl", O_RDONLY)
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, 65536) }
        if n <= 0 { break }
        bytes += buf[0..<n]
    }
    close(fd)
    #expect(j.bytes == bytes)
    let views = try TraceReader(path: dir + "/t.jsonl").engineOrder()
    let all = try views.readAll()
    #expect(views.skippedNumbers == 0 && views.lateViews == 0)
    #expect(keys(all) == Array(1...UInt64(all.count)))
}
