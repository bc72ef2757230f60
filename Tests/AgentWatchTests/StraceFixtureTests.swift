import Testing
@testable import AgentWatchCore

/// Tests/AgentWatchTests/Fixtures/strace/NAME
func straceFixture(_ name: String) -> String {
    let dir = String(#filePath).split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    return dir + "/Fixtures/strace/" + name
}

extension Event {
    var asSyscall: Syscall? { if case .syscall(let s) = kind { return s } else { return nil } }
}

/// Every sequence number used exactly once across entries, exits and events.
func codecExpectDense(_ events: [Event], sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    var numbers: [UInt64] = []
    for e in events {
        numbers.append(e.seq)
        if let x = e.asSyscall?.exitSeq { numbers.append(x) }
    }
    numbers.sort()
    #expect(numbers == Array(1...UInt64(numbers.count)), sourceLocation: sourceLocation)
}

@Test func straceInterleavedFixture() throws {
    let imp = try StraceImporter(path: straceFixture("interleaved.log"))
    let events = try imp.readAll()
    #expect(imp.warnings.isEmpty)
    try codecExpectDense(events)

    // Process tree: root 100, thread 101 (clone3 CLONE_THREAD), vfork child 102 before vfork returned.
    guard case .spawn(let root) = events[0].kind else { Issue.record("no root spawn"); return }
    #expect(events[0].pid == 100 && root.via == "root" && root.exe == "/usr/bin/agent" && root.argv == ["agent", "--run"])
    let threads = events.compactMap { e -> (Int32, Int32, ThreadStart)? in
        if case .thread(let t) = e.kind { return (e.pid, e.tid, t) } else { return nil }
    }
    #expect(threads.count == 1)
    #expect(threads.first.map { $0.0 == 100 && $0.1 == 101 && $0.2.creator == 100 } == true)
    let child = events.first { if case .spawn(let s) = $0.kind { return s.via == "vfork" } else { return false } }
    #expect(child?.pid == 102)
    if case .spawn(let s)? = child?.kind { #expect(s.ppid == 100 && s.cwd == "/work") }
    let exec = events.first { if case .exec = $0.kind { return $0.pid == 102 } else { return false } }
    if case .exec(let x)? = exec?.kind {
        #expect(x.exe == "/bin/sh" && x.argv == ["sh", "-c", "id"] && x.cwd == "/work" && x.comm == "sh")
    } else { Issue.record("no exec for 102") }

    // Relative path against the cwd from chdir; flags and mode named like the live decoder.
    let open = events.first { $0.asSyscall?.name == "openat" }?.asSyscall
    #expect(open?.arg("filename") == .path("/work/todo.txt", raw: "notes/../todo.txt"))
    #expect(open?.arg("flags") == .flags(0o1101, names: ["O_WRONLY", "O_CREAT", "O_TRUNC"]))
    #expect(open?.arg("mode") == .flags(0o640, names: ["0640"]))
    #expect(open?.exit?.out.first?.value == .fd(3, FdInfo(kind: .file, name: "/work/todo.txt")))
    // write() to a file keeps no payload, as live.
    #expect(events.first { $0.asSyscall?.name == "write" }?.asSyscall?.args.map(\.name) == ["fd", "count"])

    // The thread's connect: unfinished/resumed joined, fd known from socket().
    let connect = events.first { $0.asSyscall?.name == "connect" }
    #expect(connect?.pid == 100 && connect?.tid == 101)
    #expect(connect?.asSyscall?.arg("addr") == .sockaddr(SockAddr(family: .inet, address: "127.0.0.1", port: 4444, raw: 2)))
    if case .fd(4, let info?)? = connect?.asSyscall?.exit?.out.first?.value {
        #expect(info.kind == .ipv4 && info.proto == "tcp" && info.remote?.port == 4444 && info.name == "0.0.0.0:0->127.0.0.1:4444")
    } else { Issue.record("connect out fd") }

    // Payload: escapes decoded, total from the length argument although strace cut the string.
    let sends = events.filter { $0.asSyscall?.name == "sendto" }.compactMap(\.asSyscall)
    #expect(sends.first?.arg("data") == .bytes(Array("GET / HTTP/1.1\r\n".utf8) + [0, 0xFF, 0x41, 0x41], total: 300))
    #expect(sends.first?.arg("flags") == .flags(0x4000, names: ["MSG_NOSIGNAL"]))
    #expect(sends.last?.arg("addr") == .sockaddr(SockAddr(family: .inet6, address: "::1", port: 53, raw: 10)))
    #expect(sends.last?.exit?.errno == 106)

    // Signals, exits, and a call cut off by SIGKILL.
    let signals = events.compactMap { e -> SignalDelivery? in if case .signal(let s) = e.kind { return s } else { return nil } }
    #expect(signals == [SignalDelivery(signal: 17, senderPid: nil), SignalDelivery(signal: 15, senderPid: 1)])
    let exits = events.compactMap { e -> (Int32, Exit)? in if case .exit(let x) = e.kind { return (e.tid, x) } else { return nil } }
    #expect(exits.map(\.0) == [101, 102, 100])
    #expect(exits.map(\.1) == [Exit(code: 0, signal: nil, processEnded: false), Exit(code: 1, signal: nil, processEnded: true),
                               Exit(code: nil, signal: 9, processEnded: true)])
    let wait = events.first { $0.asSyscall?.name == "wait4" }?.asSyscall
    #expect(wait != nil && wait?.exit == nil && wait?.exitSeq == nil)
    #expect(events.last.map { if case .exit = $0.kind { return true } else { return false } } == true)
    #expect(events.first { $0.asSyscall?.name == "kill" }?.asSyscall?.arg("sig") == .flags(15, names: ["SIGTERM"]))

    // Wall time from -tt is a time of day (no date given).
    #expect(events[0].wall == 10 * 3_600_000_000_000 + 100_000)
    #expect(events.first { $0.asSyscall?.name == "chdir" }?.mono == 100_000)
}

@Test func straceInterleavedFixtureInEngineOrder() throws {
    let o = try StraceImporter(path: straceFixture("interleaved.log")).engineOrder()
    let views = try o.readAll()
    var keys: [UInt64] = []
    for v in views {
        if let sc = v.asSyscall, sc.exit != nil, let x = sc.exitSeq { keys.append(x) } else { keys.append(v.seq) }
    }
    #expect(keys == Array(1...UInt64(keys.count)))
    #expect(o.skippedNumbers == 0 && o.lateViews == 0)
    // The vfork's entry comes before the child it made, its exit after.
    let vforkEntry = views.firstIndex { $0.asSyscall?.name == "vfork" && $0.asSyscall?.exit == nil }
    let childSpawn = views.firstIndex { if case .spawn(let s) = $0.kind { return s.via == "vfork" } else { return false } }
    let vforkExit = views.firstIndex { $0.asSyscall?.name == "vfork" && $0.asSyscall?.exit != nil }
    #expect(vforkEntry != nil && childSpawn != nil && vforkExit != nil)
    if let a = vforkEntry, let b = childSpawn, let c = vforkExit { #expect(a < b && b < c) }
}

@Test func straceFFFilesMergeByTime() throws {
    let imp = try StraceImporter(perPidPrefix: straceFixture("ff/trace"))
    let events = try imp.readAll()
    try codecExpectDense(events)
    let summary = events.map { e -> String in
        switch e.kind {
        case .spawn(let s): return "spawn \(e.pid) \(s.via) \(s.ppid)"
        case .exec(let x): return "exec \(e.pid) \(x.exe)"
        case .exit(let x): return "exit \(e.pid) \(x.code ?? -1)"
        case .signal(let s): return "signal \(e.pid) \(s.signal)"
        case .syscall(let sc): return "\(sc.name) \(e.pid)"
        case .thread: return "thread"
        }
    }
    #expect(summary == [
        "spawn 300 root 0", "exec 300 /bin/sh", "execve 300", "spawn 301 vfork 300", "vfork 300",
        "exec 301 /usr/bin/cat", "execve 301", "openat 301", "read 301", "write 301", "close 301", "exit_group 301", "exit 301 0",
        "wait4 300", "signal 300 17", "exit_group 300", "exit 300 0",
    ])
    #expect(events.first { $0.asSyscall?.name == "openat" }?.asSyscall?.exit?.out.first?.value
            == .fd(3, FdInfo(kind: .file, name: "/etc/hostname")))
    #expect(events.first { $0.asSyscall?.name == "close" }?.asSyscall?.arg("fd") == .fd(3, FdInfo(kind: .file, name: "/etc/hostname")))
    #expect(events[0].wall == 1_700_000_000_000_100_000)
}

@Test func straceTerminalCaptureWithNotices() throws {
    let imp = try StraceImporter(path: straceFixture("terminal.log"))
    let events = try imp.readAll()
    #expect(imp.warnings.isEmpty)
    try codecExpectDense(events)
    // The root printed no pid: it keeps the placeholder, and `[pid 12827]` is recognised as it.
    let pids = Set(events.map(\.pid))
    #expect(pids == [0, 12829])
    let clone = events.first { $0.asSyscall?.name == "clone" }?.asSyscall
    #expect(clone?.exit?.ret == 12829)
    #expect(clone?.arg("flags") == .flags(0x1200000 | 17, names: ["CLONE_CHILD_CLEARTID", "CLONE_CHILD_SETTID", "SIGCHLD"]))
    #expect(clone?.arg("child_tid") == .hex(0x7f9c11e56a10))
    let spawn = events.first { if case .spawn(let s) = $0.kind { return s.via == "fork" } else { return false } }
    #expect(spawn?.pid == 12829)
    let wait = events.first { $0.asSyscall?.name == "wait4" }
    #expect(wait?.pid == 0 && wait?.asSyscall?.exit?.ret == 12829)
}

@Test func straceTruncatedLastLineIsAWarning() throws {
    let imp = try StraceImporter(path: straceFixture("truncated.log"))
    let events = try imp.readAll()
    #expect(events.compactMap(\.asSyscall).map(\.name) == ["openat"])
    #expect(imp.warnings.count == 1)
    #expect(imp.warnings.first?.description.hasPrefix(straceFixture("truncated.log") + ":2: last line is cut short") == true)
}

@Test func straceMalformedLineIsAnError() throws {
    let log = "10 getpid() = 10\n10 this is not strace\n10 getpid() = 10\n"
    let imp = StraceImporter(string: log, name: "x.log")
    let e = #expect(throws: TraceDiagnostic.self) { _ = try imp.readAll() }
    #expect(e?.description == "x.log:2: not a strace line")
}
