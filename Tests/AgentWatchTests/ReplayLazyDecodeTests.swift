import Testing
@testable import AgentWatchCore

// Replay decodes only the syscalls some rule or the process table reads
// (SyscallDecodeFilter): the others come through hollow, and what a replay
// reports must not change. Trace lines come from PolicySpecializeTests.swift.

@Test func lazyDecodeHandsUnwantedSyscallsOverHollow() throws {
    let r = try TraceReader(string: [miniHeader, miniSpawn(1, pid: 10), miniOpen(2, pid: 10, path: "/etc/passwd")].joined(separator: "\n"))
    r.decodeSyscalls(only: SyscallDecodeFilter { _ in false })
    let events = try r.readAll()
    #expect(events.count == 2)
    guard case .spawn(let s) = events[0].kind else { Issue.record("spawn expected"); return }
    #expect(s.exe == "/usr/bin/python3")  // process events are never hollow
    guard case .syscall(let sc) = events[1].kind else { Issue.record("syscall expected"); return }
    #expect(sc.name == "openat" && sc.nr == 257 && sc.args.isEmpty)
    #expect(sc.exit?.ret == 3 && sc.exit?.out.isEmpty == true && sc.exitSeq == 3)
}

@Test func lazyDecodeReadsArgumentsWrittenBeforeTheName() throws {
    // Writers may put "args" before "sc": the decision waits for the name.
    let line = #"{"args":{"fd":{"fd":3,"type":"file","name":"/a \"b\" [c]"}},"seq":1,"pid":5,"ev":"syscall","sc":"close","ret":0}"#
    for wanted in [true, false] {
        // The header comes first: a reader decodes its first line before it can be told anything.
        let r = try TraceReader(string: miniHeader + "\n" + line)
        r.decodeSyscalls(only: SyscallDecodeFilter { $0 == "close" && wanted })
        guard case .syscall(let sc)? = try r.next()?.kind else { Issue.record("syscall expected"); return }
        #expect(sc.args.count == (wanted ? 1 : 0))
        if wanted, case .fd(3, let info?)? = sc.arg("fd") { #expect(info.name == #"/a "b" [c]"#) }
    }
}

@Test func lazyDecodeStillRejectsBrokenBrackets() throws {
    let line = #"{"seq":1,"pid":5,"ev":"syscall","sc":"close","args":{"fd":[1,2}},"ret":0}"#
    let r = try TraceReader(string: "\(miniHeader)\n\(line)\n")
    r.decodeSyscalls(only: SyscallDecodeFilter { _ in false })
    #expect(throws: TraceDiagnostic.self) { _ = try r.readAll() }
}

@Test func replayStillAppliesStateSyscallsNoRuleLooksAt() throws {
    // No rule names chdir or recvfrom, yet the cwd and the resolved name they
    // teach decide the rules on execve and connect.
    let policy = """
        - rule: exec in tmp
          desc: x
          condition: evt.type = execve and evt.dir = > and proc.cwd = /tmp
          output: x
          priority: WARNING
        - rule: tunnel
          desc: x
          condition: evt.type = connect and fd.sip.name = x1.tcp.ngrok-agent.com
          output: x
          priority: WARNING
        """
    let answer = "\\u0012\\u0034\\u0081\\u0080\\u0000\\u0001\\u0000\\u0001\\u0000\\u0000\\u0000\\u0000\\u0002x1\\u0003tcp\\u000bngrok-agent\\u0003com\\u0000\\u0000\\u0001\\u0000\\u0001\\u00c0\\u000c\\u0000\\u0001\\u0000\\u0001\\u0000\\u0000\\u0000\\u003c\\u0000\\u0004\\u0003\\u0086\\u0027\\u00dc"
    let lines = [
        miniSpawn(1, pid: 10),
        #"{"seq":2,"pid":10,"ev":"syscall","sc":"chdir","nr":80,"args":{"path":{"path":"/tmp"}},"ret":0,"xseq":3}"#,
        #"{"seq":4,"pid":10,"ev":"syscall","sc":"recvfrom","nr":45,"args":{"fd":{"fd":4,"type":"ipv4","name":"u","proto":"udp","remote":{"family":"inet","addr":"127.0.0.53","port":53}}},"ret":61,"out":{"data":{"data":"\#(answer)","len":61},"addr":{"family":"inet","addr":"127.0.0.53","port":53}},"xseq":5}"#,
        #"{"seq":6,"pid":10,"ev":"syscall","sc":"connect","nr":42,"args":{"fd":{"fd":5,"type":"ipv4","name":"t","proto":"tcp"},"addr":{"family":"inet","addr":"3.134.39.220","port":443}},"ret":0,"xseq":7}"#,
        #"{"seq":8,"pid":10,"ev":"syscall","sc":"execve","nr":59,"args":{"filename":{"path":"/bin/ls"},"argv":{"strv":["ls"]}}}"#,
    ]
    #expect(try miniReplay(lines, policy: policy) == ["tunnel@6", "exec in tmp@8"])
}

@Test func aRuleOnASyscallMakesReplayDecodeIt() throws {
    let lines = [miniSpawn(1, pid: 10), #"{"seq":2,"pid":10,"ev":"syscall","sc":"close","nr":3,"args":{"fd":{"fd":3,"type":"file","name":"/etc/shadow"}},"ret":0,"xseq":3}"#]
    let none = "- rule: other\n  desc: x\n  condition: evt.type = openat\n  output: x\n  priority: WARNING\n"
    #expect(try miniReplay(lines, policy: none).isEmpty)
    let onClose = "- rule: shadow closed\n  desc: x\n  condition: evt.type = close and fd.name = /etc/shadow\n  output: x\n  priority: WARNING\n"
    #expect(try miniReplay(lines, policy: onClose) == ["shadow closed@2"])
}
