import Foundation
import Testing
@testable import AgentWatchCore

// Replay answers a repeated syscall line from the verdict memo without
// decoding it (VerdictMemo). The memo may only answer when nothing the rules
// read differs: these tests repeat a line's exact text where the process, its
// ancestry, the names learnt from DNS, a sequence in flight, or an id differ,
// and check every verdict against a replay with the memo off.

/// Alerts with both memos and with neither, and the verdict memo's hits.
private func replayBoth(_ lines: [String], policies: PolicySet) throws -> (memo: [String], full: [String], hits: Int) {
    let memo = try memoReplay(lines, policies: policies, verdictMemo: true, contentMemo: true)
    let full = try memoReplay(lines, policies: policies, verdictMemo: false, contentMemo: false)
    return (memo.alerts, full.alerts, memo.verdictHits)
}

/// Replays `lines` with and without the memo: both must raise exactly `alerts`,
/// and with `hits` the memo must have answered some lines itself.
private func expectJudgedAlike(_ lines: [String], _ set: PolicySet, alerts: [String], hits: Bool = true,
                               sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let r = try replayBoth(lines, policies: set)
    #expect(r.full == alerts, sourceLocation: sourceLocation)
    #expect(r.memo == r.full, sourceLocation: sourceLocation)
    if hits { #expect(r.hits > 0, sourceLocation: sourceLocation) }
}

private func exec(_ seq: Int, pid: Int, exe: String) -> String {
    memoLine(seq, pid: pid, #""ev":"exec","exe":"\#(exe)","argv":["\#(exe)"],"cwd":"/work","comm":"x""#)
}

private let openX = #""ev":"syscall","sc":"openat","nr":257,"args":{"dirfd":{"flags":"AT_FDCWD","raw":18446744073709551516},"filename":{"path":"/x"},"flags":{"flags":"O_RDONLY","raw":0}},"ret":3,"out":{"fd":{"fd":3,"type":"file","name":"/x"}}"#

private func open(_ seq: Int, pid: Int) -> String {
    memoLine(seq, pid: pid, openX + #","xseq":\#(seq + 1)"#)
}

@Test func aProcessThatLooksDifferentIsJudgedAgain() throws {
    let set = PolicySet.load(yaml: memoRule("evt.type = openat and fd.name = /x and proc.name = ssh"), file: "t.yaml")
    let lines = [miniSpawn(1, pid: 10), miniSpawn(2, pid: 11, ppid: 10, exe: "/usr/bin/ssh"),
                 open(3, pid: 10), open(5, pid: 10), open(7, pid: 11), exec(9, pid: 10, exe: "/usr/bin/ssh"), open(10, pid: 10)]
    try expectJudgedAlike(lines, set, alerts: ["r@7", "r@10"])
}

@Test func anAncestorThatChangesIsJudgedAgain() throws {
    let set = PolicySet.load(yaml: memoRule("evt.type = openat and fd.name = /x and proc.aname = evil"), file: "t.yaml")
    // 11 is a child of 10; 10 later becomes "evil"; then 12 is born under 11.
    let lines = [miniSpawn(1, pid: 10), miniSpawn(2, pid: 11, ppid: 10),
                 open(3, pid: 11), open(5, pid: 11), exec(7, pid: 10, exe: "/usr/bin/evil"), open(8, pid: 11),
                 miniSpawn(10, pid: 12, ppid: 11), open(11, pid: 12)]
    try expectJudgedAlike(lines, set, alerts: ["r@8", "r@11"])
}

@Test func aNameLearntFromDNSIsJudgedAgain() throws {
    let set = PolicySet.load(yaml: memoRule("evt.type = connect and fd.sip.name = pool.example.test"), file: "t.yaml")
    let connect = memoConnect
    let recv = memoDNSAnswer()
    let lines = [miniSpawn(1, pid: 10),
                 memoLine(2, pid: 10, connect + #","xseq":3"#), memoLine(4, pid: 10, connect + #","xseq":5"#),
                 memoLine(6, pid: 10, recv + #","xseq":7"#), memoLine(8, pid: 10, connect + #","xseq":9"#)]
    try expectJudgedAlike(lines, set, alerts: ["r@8"])
}

@Test func aSequenceInFlightIsJudgedAgain() throws {
    let set = PolicySet.load(yaml: """
        - rule: s
          desc: x
          sequence:
            by: proc.sid
            within: 10s
            steps:
              - evt.type = mknodat
              - evt.type = openat and fd.name = /x
          output: x
          priority: WARNING
        """, file: "t.yaml")
    let mknod = #""ev":"syscall","sc":"mknodat","nr":259,"args":{"dirfd":-100,"pathname":{"path":"/tmp/f"},"mode":{"flags":"S_IFIFO|0666","raw":4534},"dev":0},"ret":0"#
    let lines = [miniSpawn(1, pid: 10), open(2, pid: 10), open(4, pid: 10),
                 memoLine(6, pid: 10, mknod + #","xseq":7"#), open(8, pid: 10), open(10, pid: 10)]
    try expectJudgedAlike(lines, set, alerts: ["s@8"], hits: false)
}

@Test func rulesReadingIdsOrTimesAreNeverMemoised() throws {
    let set = PolicySet.load(yaml: memoRule("evt.type = openat and fd.name = /x and proc.pid = 11", name: "pid")
                             + "\n" + memoRule("evt.type = openat and fd.name = /x and evt.num > 6", name: "num"), file: "t.yaml")
    // 10 and 11 look alike (same exe, argv, cwd, parent): only their pids differ.
    let lines = [miniSpawn(1, pid: 10), miniSpawn(2, pid: 11), open(3, pid: 10), open(5, pid: 11), open(7, pid: 10)]
    try expectJudgedAlike(lines, set, alerts: ["pid@5", "num@7"], hits: false)
}

@Test func argumentsThatDoNotDecodeNameTheirLine() throws {
    let set = PolicySet.load(yaml: memoRule("evt.type = openat and fd.name = /x"), file: "t.yaml")
    let bad = memoLine(3, pid: 10, #""ev":"syscall","sc":"openat","nr":257,"args":{"filename":{"path":}},"ret":3,"xseq":4"#)
    let reader = try TraceReader(string: ([miniHeader, miniSpawn(1, pid: 10), open(2, pid: 10), bad]).joined(separator: "\n") + "\n",
                                 name: "bad.jsonl")
    let input = ReplayInput(name: "bad.jsonl", stream: reader, header: reader.header, format: .agentwatch)
    let driver = ReplayDriver(policies: set, sinks: [])
    #expect {
        _ = try driver.replay(input)
    } throws: { e in
        "\(e)".contains("bad.jsonl:4")
    }
}

/// A trace of a few look-alike processes doing things the pack cares about,
/// in random order with much repetition: every verdict must be the same with
/// the memo as without it.
@Test func thePackGivesTheSameVerdictsWithAndWithoutTheMemo() throws {
    let set = PolicySet.load(paths: PolicyFiles.expand(Harness.repo + "/Policies"))
    let lines = lookAlikePackTrace(seed: 7)
    let r = try replayBoth(lines, policies: set)
    #expect(r.full.count > 50)
    #expect(Set(r.full.map { $0.split(separator: "@")[0] }).count >= 4)
    let firstDifference = zip(r.memo, r.full).first { $0 != $1 }.map { "memo \($0), full \($1)" }
        ?? (r.memo.count == r.full.count ? nil : "memo \(r.memo.count) alerts, full \(r.full.count)")
    #expect(firstDifference == nil)
    #expect(r.hits > 500)
}

@Test func anExecUnderAnotherParentIsJudgedAgain() throws {
    let set = PolicySet.load(yaml: memoRule("evt.type = execve and evt.dir = < and proc.name = curl and proc.pname = sh"), file: "t.yaml")
    // 11 (under python) and 13 (under sh) exec the same curl: only the second alerts; 15 repeats the first.
    let lines = [miniSpawn(1, pid: 10), miniSpawn(2, pid: 11, ppid: 10), exec(3, pid: 11, exe: "/usr/bin/curl"),
                 miniSpawn(4, pid: 12, ppid: 10, exe: "/bin/sh"), exec(5, pid: 12, exe: "/bin/sh"),
                 miniSpawn(6, pid: 13, ppid: 12), exec(7, pid: 13, exe: "/usr/bin/curl"),
                 miniSpawn(8, pid: 15, ppid: 10), exec(9, pid: 15, exe: "/usr/bin/curl")]
    try expectJudgedAlike(lines, set, alerts: ["r@7"])
}

@Test func anExecByAnotherPathIsJudgedAgain() throws {
    let set = PolicySet.load(yaml: memoRule("evt.type = execve and evt.dir = < and evt.rawarg.pathname = /usr/bin/sh"), file: "t.yaml")
    func execVia(_ seq: Int, pid: Int, path: String) -> String {
        memoLine(seq, pid: pid, #""ev":"exec","exe":"/usr/bin/dash","path":"\#(path)","argv":["sh"],"cwd":"/work","comm":"sh""#)
    }
    let lines = [miniSpawn(1, pid: 10), miniSpawn(2, pid: 11, ppid: 10), execVia(3, pid: 11, path: "/usr/bin/dash"),
                 miniSpawn(4, pid: 12, ppid: 10), execVia(5, pid: 12, path: "/usr/bin/sh"),
                 miniSpawn(6, pid: 13, ppid: 10), execVia(7, pid: 13, path: "/usr/bin/dash")]
    try expectJudgedAlike(lines, set, alerts: ["r@5"])
}

@Test func pointerValuesCountOnlyForRulesThatReadArguments() throws {
    func execve(_ seq: Int, envp: String) -> String {
        memoLine(seq, pid: 10, #""ev":"syscall","sc":"execve","nr":59,"args":{"filename":{"path":"/usr/bin/seq"},"argv":{"strv":["seq","3"]},"envp":{"hex":"\#(envp)"}},"ret":-2,"xseq":\#(seq + 1)"#)
    }
    let lines = [miniSpawn(1, pid: 10), execve(2, envp: "0x7ffd0001"), execve(4, envp: "0x7ffd0002"), execve(6, envp: "0x7ffd0003")]
    // Only the pointer differs: a rule on the program sees three alike lines…
    let byName = try replayBoth(lines, policies: PolicySet.load(yaml: memoRule("evt.type = execve and proc.name = seq and evt.dir = >"), file: "t.yaml"))
    #expect(byName.full == ["r@2", "r@4", "r@6"])
    #expect(byName.memo == byName.full)
    let quiet = try replayBoth(lines, policies: PolicySet.load(yaml: memoRule("evt.type = execve and proc.name = cat"), file: "t.yaml"))
    #expect(quiet.full.isEmpty && quiet.memo.isEmpty)
    #expect(quiet.hits >= 2)
    // …and a rule that reads the argument itself tells them apart.
    let byPointer = try replayBoth(lines, policies: PolicySet.load(yaml: memoRule("evt.type = execve and evt.dir = > and evt.arg.envp = 0x7ffd0003"), file: "t.yaml"))
    #expect(byPointer.full == ["r@6"])
    #expect(byPointer.memo == byPointer.full)
}

/// Lines of look-alike processes spawning, exec'ing, opening, connecting and
/// writing what the pack cares about, in random order with much repetition.
func lookAlikePackTrace(seed: UInt64, syscalls: Int = 3000) -> [String] {
    var rng = CodecRNG(state: seed)
    let exes = ["/usr/bin/python3", "/bin/sh", "/usr/bin/curl", "/usr/bin/nc", "/usr/bin/git", "/usr/bin/ssh"]
    let paths = ["/etc/ld.so.cache", "/work/a.py", "/home/agent/.aws/credentials", "/home/agent/.ssh/id_rsa", "/tmp/dl", "/etc/shadow"]
    let peers = ["93.184.216.34:443", "169.254.169.254:80", "3.134.39.220:443", "10.0.0.9:4444", "192.0.2.7:3333"]
    var lines: [String] = []
    var seq = 1
    var live = [100]
    var next = 101
    lines.append(miniSpawn(seq, pid: 100)); seq += 1
    func syscall(_ pid: Int, _ body: String) {
        lines.append(memoLine(seq, pid: pid, body + #","xseq":\#(seq + 1)"#))
        seq += 2
    }
    for _ in 0..<syscalls {
        let pid = live[Int(rng.next() % UInt64(live.count))]
        switch rng.next() % 12 {
        case 0 where live.count < 6:
            lines.append(miniSpawn(seq, pid: next, ppid: pid)); seq += 1
            live.append(next); next += 1
        case 1:
            lines.append(exec(seq, pid: pid, exe: exes[Int(rng.next() % UInt64(exes.count))])); seq += 1
        case 2 where pid != 100:
            lines.append(memoLine(seq, pid: pid, #""ev":"exit","code":0,"process":true"#)); seq += 1
            live.removeAll { $0 == pid }
        case 3, 4, 5:
            let p = paths[Int(rng.next() % UInt64(paths.count))]
            let write = rng.next() % 3 == 0
            syscall(pid, #""ev":"syscall","sc":"openat","nr":257,"args":{"dirfd":{"flags":"AT_FDCWD","raw":18446744073709551516},"filename":{"path":"\#(p)"},"flags":{"flags":"\#(write ? "O_WRONLY|O_CREAT" : "O_RDONLY")","raw":\#(write ? 65 : 0)}},"ret":3,"out":{"fd":{"fd":3,"type":"file","name":"\#(p)"}}"#)
        case 6, 7:
            let peer = peers[Int(rng.next() % UInt64(peers.count))]
            let parts = peer.split(separator: ":")
            syscall(pid, #""ev":"syscall","sc":"connect","nr":42,"args":{"fd":{"fd":5,"type":"ipv4","proto":"tcp","name":"10.0.0.2:40000->\#(peer)"},"addr":{"family":"inet","addr":"\#(parts[0])","port":\#(parts[1])}},"ret":0"#)
        case 8:
            let data = rng.next() % 2 == 0 ? #"{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[]}"# : "GET / HTTP/1.1"
            syscall(pid, #""ev":"syscall","sc":"write","nr":1,"args":{"fd":{"fd":5,"type":"ipv4","proto":"tcp","name":"10.0.0.2:40000->192.0.2.7:3333"},"data":{"data":"\#(data)","len":20},"count":20},"ret":20"#)
        case 9:
            syscall(pid, #""ev":"syscall","sc":"dup2","nr":33,"args":{"oldfd":{"fd":5,"type":"ipv4","proto":"tcp","name":"10.0.0.2:40000->10.0.0.9:4444"},"newfd":{"fd":\#(rng.next() % 3)}},"ret":0"#)
        case 10:
            syscall(pid, #""ev":"syscall","sc":"chmod","nr":90,"args":{"pathname":{"path":"/tmp/dl"},"mode":{"flags":"0755","raw":493}},"ret":0"#)
        default:
            syscall(pid, #""ev":"syscall","sc":"chdir","nr":80,"args":{"path":{"path":"\#(rng.next() % 2 == 0 ? "/work" : "/tmp")"}},"ret":0"#)
        }
    }
    return lines
}
