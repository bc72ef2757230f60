import Foundation
import Testing
@testable import AgentWatchCore

// The content memo (ContentMemo) skips the rules for a syscall whose every
// rule was turned away by the part of its condition that reads the syscall
// alone. These tests check what counts as that part, that a process the rest
// of a condition picks out is still caught after look-alike syscalls were
// memoised, and that verdicts are the same with the memo and without it.

/// The fields of the gate and of the rest when `condition` is split for a syscall's entry; nil when it has no gate.
private func split(_ condition: String, syscall: String = "openat") throws -> (gate: Set<String>, rest: Set<String>)? {
    let set = PolicySet.load(yaml: memoRule(condition), file: "t.yaml")
    #expect(set.diagnostics.isEmpty, "\(set.diagnostics)")
    let cond = try #require(set.rules.first?.condition)
    let special = RuleSpecializer.specialize(cond, syscall: syscall, phase: .entry)
    guard let (gate, rest) = ContentGate.split(special, syscall == "execve" ? .execEntry : .syscall) else { return nil }
    func fields(_ e: RExpr) -> Set<String> {
        var out = Set<String>()
        TypeAnalysis.walk(e) { out.insert($0.field.spec.name) }
        return out
    }
    return (fields(gate), fields(rest))
}

@Test func theGateReadsOnlyWhatTheSyscallSays() throws {
    let byProcess = try #require(try split("evt.type = openat and fd.name = /x and proc.name = ssh"))
    #expect(byProcess.gate == ["fd.name"] && byProcess.rest == ["proc.name"])
    // Names learnt from DNS answers change while the tree runs: the gate reads them, and its keys hold their generation.
    let byHost = try #require(try split("evt.type = connect and fd.sip.name = pool.example.test and fd.sport = 3333", syscall: "connect"))
    #expect(byHost.gate == ["fd.sip.name", "fd.sport"] && byHost.rest.isEmpty)
    // Ids, times and the event's number differ between identical syscalls.
    let byNumber = try #require(try split("evt.type = openat and evt.num > 6 and evt.is_open_write = true and proc.pid = 11"))
    #expect(byNumber.gate == ["evt.is_open_write"] && byNumber.rest == ["evt.num", "proc.pid"])
    // A comparison with another field is not the syscall's alone, even between descriptor fields.
    let byValue = try #require(try split("evt.type = openat and fd.name = val(proc.exepath) and fd.filename = val(fd.filename) and fd.typechar = f"))
    #expect(byValue.gate == ["fd.typechar"] && byValue.rest == ["fd.name", "fd.filename"])
    // Nested ands are conjuncts too; an or mixing both kinds is no gate.
    let nested = try #require(try split("evt.type = openat and (proc.name = ssh and (fd.directory = /etc and evt.rawarg.flags > 0))"))
    #expect(nested.gate == ["fd.directory", "evt.rawarg"] && nested.rest == ["proc.name"])
    #expect(try split("evt.type = openat and (fd.name = /x or proc.name = ssh)") == nil)
    #expect(try split("evt.type = openat and proc.name = ssh") == nil)
    let whole = try #require(try split("evt.type = openat and not fd.name startswith /usr and evt.arg.flags contains O_WRONLY"))
    #expect(whole.gate == ["fd.name", "evt.arg"] && whole.rest.isEmpty)
    // At an exec's entry the process fields show the program about to run; its parent and session are the caller's.
    let exec = try #require(try split("evt.type = execve and evt.dir = > and proc.name = nc and proc.args contains -e and proc.pname = sh and proc.sid = 1",
                                      syscall: "execve"))
    #expect(exec.gate == ["proc.name", "proc.args"] && exec.rest == ["proc.pname", "proc.sid"])
    #expect(try split("evt.type = openat and proc.name = nc") == nil)
}

/// An openat of `path` at seq (entry) and seq+1 (exit).
private func open(_ seq: Int, pid: Int, _ path: String) -> String {
    memoLine(seq, pid: pid, #""ev":"syscall","sc":"openat","nr":257,"args":{"dirfd":{"flags":"AT_FDCWD","raw":18446744073709551516},"filename":{"path":"\#(path)"},"flags":{"flags":"O_RDONLY","raw":0}},"ret":3,"out":{"fd":{"fd":3,"type":"file","name":"\#(path)"}},"xseq":\#(seq + 1)"#)
}

/// Every descriptor field reads the syscall's own descriptor, and of the event
/// fields only the number and the times differ between identical syscalls: a
/// new field must be placed on one side or the other here.
@Test func everyFieldIsPlacedOnOneSideOfTheGate() {
    let byDesign: Set<String> = ["evt.num", "evt.time", "evt.rawtime"]
    for f in FieldTable.fdFields + FieldTable.eventFields {
        #expect(ContentGate.isContent(f.name) != byDesign.contains(f.name), "\(f.name)")
    }
    #expect(!FieldTable.processFields.contains { ContentGate.isContent($0.name) })
}

private func connect(_ seq: Int, pid: Int) -> String {
    memoLine(seq, pid: pid, memoConnect + #","xseq":\#(seq + 1)"#)
}

/// Alerts with the content memo and without it (the verdict memo off in both), and the content memo's hits.
private func replayBoth(_ lines: [String], policies: PolicySet) throws -> (memo: [String], full: [String], hits: Int) {
    let memo = try memoReplay(lines, policies: policies, verdictMemo: false, contentMemo: true)
    let full = try memoReplay(lines, policies: policies, verdictMemo: false, contentMemo: false)
    return (memo.alerts, full.alerts, memo.contentHits)
}

/// Replays `lines` with the content memo and without: both must raise exactly
/// `alerts`, the memo answering `hits` times (or at least `atLeast`).
private func expectJudgedAlike(_ lines: [String], _ set: PolicySet, alerts: [String], hits: Int? = nil, atLeast: Int = 0,
                               sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let r = try replayBoth(lines, policies: set)
    #expect(r.full == alerts, sourceLocation: sourceLocation)
    #expect(r.memo == r.full, sourceLocation: sourceLocation)
    if let hits { #expect(r.hits == hits, sourceLocation: sourceLocation) } else { #expect(r.hits >= atLeast, sourceLocation: sourceLocation) }
}

@Test func theProcessTheRestPicksOutIsCaughtAfterLookAlikesWereMemoised() throws {
    let set = PolicySet.load(yaml: memoRule("evt.type = openat and fd.name = /x and proc.name = ssh"), file: "t.yaml")
    // python opens /x (the gate holds, the rest does not) and /y (turned away, memoised); then ssh does the same.
    let lines = [miniSpawn(1, pid: 10), miniSpawn(2, pid: 11, ppid: 10, exe: "/usr/bin/ssh"),
                 open(3, pid: 10, "/x"), open(5, pid: 10, "/y"), open(7, pid: 10, "/y"), open(9, pid: 10, "/x"),
                 open(11, pid: 11, "/y"), open(13, pid: 11, "/x"), open(15, pid: 10, "/x")]
    try expectJudgedAlike(lines, set, alerts: ["r@13"], hits: 2)
}

@Test func aSequenceWhoseFirstStepWasTurnedAwayStillStarts() throws {
    let set = PolicySet.load(yaml: """
        - rule: s
          desc: x
          sequence:
            by: proc.pid
            within: 100s
            steps:
              - evt.type = openat and fd.name = /x and proc.name = python3
              - evt.type = connect
          output: x
          priority: WARNING
        """, file: "t.yaml")
    #expect(set.diagnostics.isEmpty, "\(set.diagnostics)")
    let lines = [miniSpawn(1, pid: 10), miniSpawn(2, pid: 11, ppid: 10),
                 open(3, pid: 10, "/y"), open(5, pid: 10, "/y"), connect(7, pid: 10),
                 open(9, pid: 11, "/y"), open(11, pid: 11, "/x"), connect(13, pid: 11),
                 open(15, pid: 10, "/y"), open(17, pid: 10, "/x"), open(19, pid: 10, "/y"), connect(21, pid: 10)]
    try expectJudgedAlike(lines, set, alerts: ["s@13", "s@21"], atLeast: 4)
}

private func spawn(_ seq: Int, pid: Int, ppid: Int, exe: String, argv: [String]) -> String {
    let list = argv.map { "\"\($0)\"" }.joined(separator: ",")
    return memoLine(seq, pid: pid, #""ev":"spawn","ppid":\#(ppid),"via":"fork","exe":"\#(exe)","argv":[\#(list)],"cwd":"/work","uid":1000,"comm":"x""#)
}

/// An execve entry (it fails, so the exit is a line of its own) with `argv` as decoded JSON.
private func execve(_ seq: Int, pid: Int, _ path: String, argv: String, envp: String) -> String {
    memoLine(seq, pid: pid, #""ev":"syscall","sc":"execve","nr":59,"args":{"filename":{"path":"\#(path)"},"argv":\#(argv),"envp":{"hex":"\#(envp)"}},"ret":-2,"xseq":\#(seq + 1)"#)
}

@Test func anExecEntryIsKnownByWhatItRunsWhateverItsPointers() throws {
    let set = PolicySet.load(yaml: memoRule("evt.type = execve and evt.dir = > and proc.name = curl and proc.pname = sh"), file: "t.yaml")
    // 11 (under python) and 13 (under sh) exec ls and curl; the environment pointer differs every time.
    let lines = [miniSpawn(1, pid: 10), spawn(2, pid: 11, ppid: 10, exe: "/usr/bin/python3", argv: ["python3"]),
                 miniSpawn(3, pid: 12, ppid: 10, exe: "/bin/sh"), spawn(4, pid: 13, ppid: 12, exe: "/bin/sh", argv: ["sh"]),
                 execve(5, pid: 11, "/bin/ls", argv: #"{"strv":["ls"]}"#, envp: "0x7ffd0001"),
                 execve(7, pid: 13, "/bin/ls", argv: #"{"strv":["ls"]}"#, envp: "0x7ffd0002"),
                 execve(9, pid: 11, "/usr/bin/curl", argv: #"{"strv":["curl","x"]}"#, envp: "0x7ffd0003"),
                 execve(11, pid: 13, "/usr/bin/curl", argv: #"{"strv":["curl","x"]}"#, envp: "0x7ffd0004")]
    try expectJudgedAlike(lines, set, alerts: ["r@11"], hits: 1)
}

@Test func anExecWhoseArgvCannotBeReadIsJudgedByTheCaller() throws {
    // Without argv the process fields fall back to the caller's: two such execs
    // with the same text are not alike when their callers differ.
    let set = PolicySet.load(yaml: memoRule("evt.type = execve and evt.dir = > and proc.args contains token"), file: "t.yaml")
    let unreadable = #"{"unreadable":"0x10"}"#
    let lines = [miniSpawn(1, pid: 10), spawn(2, pid: 11, ppid: 10, exe: "/bin/sh", argv: ["sh"]),
                 spawn(3, pid: 14, ppid: 10, exe: "/usr/bin/curl", argv: ["curl", "token"]),
                 execve(4, pid: 11, "/bin/ls", argv: unreadable, envp: "0x1"), execve(6, pid: 11, "/bin/ls", argv: unreadable, envp: "0x1"),
                 execve(8, pid: 14, "/bin/ls", argv: unreadable, envp: "0x1")]
    try expectJudgedAlike(lines, set, alerts: ["r@8"], hits: 0)
}

@Test func aNameLearntFromDNSIsJudgedAgainByTheContentMemo() throws {
    let set = PolicySet.load(yaml: memoRule("evt.type = connect and fd.sip.name = pool.example.test"), file: "t.yaml")
    let recv = memoDNSAnswer() + #","xseq":6"#
    let lines = [miniSpawn(1, pid: 10), connect(2, pid: 10), connect(4, pid: 10), memoLine(5, pid: 10, recv), connect(7, pid: 10),
                 connect(9, pid: 10)]
    try expectJudgedAlike(lines, set, alerts: ["r@7", "r@9"], hits: 1)
}

/// An exec event, the image described by what it carries.
private func execEvent(_ seq: Int, pid: Int, _ exe: String, cwd: String = "/work", markers: [String] = []) -> String {
    let list = markers.map { "\"\($0)\"" }.joined(separator: ",")
    return memoLine(seq, pid: pid, #""ev":"exec","exe":"\#(exe)","path":"\#(exe)","argv":["\#(exe)"],"cwd":"\#(cwd)","comm":"x","binary":{"format":"elf64","markers":[\#(list)]}"#)
}

@Test func anExecEventIsKnownByTheImageItCarries() throws {
    let set = PolicySet.load(yaml: memoRule("evt.type = execve and evt.dir = < and proc.name = curl and proc.pname = sh", name: "curl")
                             + "\n" + memoRule("evt.type = execve and evt.dir = < and evt.res = SUCCESS and proc.exe.markers in (xmrig)", name: "miner")
                             + "\n" + memoRule("evt.type = execve and evt.dir = < and proc.cwd = /tmp and proc.name = ls", name: "cwd"),
                             file: "t.yaml")
    #expect(set.diagnostics.isEmpty, "\(set.diagnostics)")
    // 11 (under python) and 13 (under sh) run ls, then curl; /tmp/x comes back with miner markers; ls runs in /tmp.
    let lines = [miniSpawn(1, pid: 10), miniSpawn(2, pid: 11, ppid: 10), miniSpawn(3, pid: 12, ppid: 10, exe: "/bin/sh"),
                 miniSpawn(4, pid: 13, ppid: 12),
                 execEvent(5, pid: 11, "/usr/bin/ls"), execEvent(6, pid: 13, "/usr/bin/ls"),
                 execEvent(7, pid: 11, "/usr/bin/curl"), execEvent(8, pid: 13, "/usr/bin/curl"),
                 execEvent(9, pid: 11, "/tmp/x"), execEvent(10, pid: 13, "/tmp/x", markers: ["xmrig"]),
                 execEvent(11, pid: 11, "/usr/bin/ls", cwd: "/tmp")]
    try expectJudgedAlike(lines, set, alerts: ["curl@8", "miner@10", "cwd@11"], hits: 1)
}

@Test func thePackGivesTheSameVerdictsWithAndWithoutTheContentMemo() throws {
    let set = PolicySet.load(paths: PolicyFiles.expand(Harness.repo + "/Policies"))
    for seed: UInt64 in [7, 11] {
        let r = try replayBoth(lookAlikePackTrace(seed: seed), policies: set)
        #expect(r.full.count > 50)
        let firstDifference = zip(r.memo, r.full).first { $0 != $1 }.map { "memo \($0), full \($1)" }
            ?? (r.memo.count == r.full.count ? nil : "memo \(r.memo.count) alerts, full \(r.full.count)")
        #expect(firstDifference == nil, "seed \(seed)")
        #expect(r.hits > 100, "seed \(seed)")
    }
}

/// Live: every cat and head loads the same libraries (memoised after the
/// first), and the one process the rule names is still caught.
@Test func liveTracingCatchesTheProcessAfterLookAlikesWereMemoised() throws {
    var env = ProcessInfo.processInfo.environment
    env["AGENTWATCH_STATS"] = "1"
    let r = try Harness.run(["/bin/sh", "-c", "cat /etc/hostname; cat /etc/hostname; head -c1 /etc/hostname; cat /etc/hostname"],
                            trace: false,
                            policy: memoRule("evt.type in (open, openat) and fd.name = /etc/hostname and proc.name = head"),
                            environment: env)
    #expect(r.status == 0)
    #expect(r.alerts.count == 1)
    #expect((r.alerts.first?["proc"] as? [String: Any])?["exe"] as? String == "/usr/bin/head")
    let stats = try #require(r.stderr.split(separator: "\n").first { $0.contains("content memo:") })
    let hits = stats.split(separator: " ").firstIndex(of: "memo:").flatMap { i in Int(stats.split(separator: " ")[i + 1]) }
    #expect((hits ?? 0) > 4, "\(stats)")
}
