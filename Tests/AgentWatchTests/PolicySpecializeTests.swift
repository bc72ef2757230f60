import Testing
@testable import AgentWatchCore

// The engine specializes each condition per syscall and phase and memoizes
// path tests per descriptor (RuleSpecializer): what a replay reports must not change.

/// A trace header and lines, written the way `run --trace` writes them.
let miniHeader = #"{"agentwatch_trace":1,"version":"t","host":"h","command":["x"],"start_wall":0,"tracer_pid":1,"dns_servers":["127.0.0.53"]}"#

func miniSpawn(_ seq: Int, pid: Int, ppid: Int = 1, exe: String = "/usr/bin/python3") -> String {
    #"{"seq":\#(seq),"mono":\#(seq),"wall":\#(seq),"pid":\#(pid),"tid":\#(pid),"ev":"spawn","ppid":\#(ppid),"via":"\#(ppid == 1 ? "root" : "fork")","exe":"\#(exe)","argv":["x"],"cwd":"/work","uid":1000,"comm":"x"}"#
}

func miniOpen(_ seq: Int, pid: Int, path: String, flags: String = "O_RDONLY", raw: Int = 0) -> String {
    #"{"seq":\#(seq),"mono":\#(seq),"wall":\#(seq),"pid":\#(pid),"tid":\#(pid),"ev":"syscall","sc":"openat","nr":257,"args":{"dirfd":{"flags":"AT_FDCWD","raw":18446744073709551516},"filename":{"path":"\#(path)"},"flags":{"flags":"\#(flags)","raw":\#(raw)}},"ret":3,"out":{"fd":{"fd":3,"type":"file","name":"\#(path)"}},"xseq":\#(seq + 1)}"#
}

func miniReplay(_ lines: [String], policy: String) throws -> [String] {
    let reader = try TraceReader(string: ([miniHeader] + lines).joined(separator: "\n") + "\n")
    let input = ReplayInput(name: "t", stream: reader, header: reader.header, format: .agentwatch)
    var rules: [String] = []
    let driver = ReplayDriver(policies: PolicySet.load(yaml: policy, file: "t.yaml"), sinks: [])
    driver.onMatch = { rules.append("\($0.rule)@\($0.seq)") }
    _ = try driver.replay(input)
    return rules
}

@Test func memoizedPathTestsKeepPerEventParts() throws {
    // The path part of the condition is memoized per path; the process part is not.
    let policy = """
        - rule: key read
          desc: x
          condition: >
            evt.type in (open, openat) and (fd.name endswith .key or fd.filename startswith id_ or fd.directory = /secret)
            and not proc.name in (ssh)
          output: x
          priority: WARNING
        """
    let lines = [
        miniSpawn(1, pid: 10), miniSpawn(2, pid: 11, ppid: 10, exe: "/usr/bin/ssh"),
        miniOpen(3, pid: 10, path: "/home/u/a.key"), miniOpen(5, pid: 11, path: "/home/u/a.key"),
        miniOpen(7, pid: 10, path: "/home/u/a.txt"), miniOpen(9, pid: 10, path: "/secret/x"),
        miniOpen(11, pid: 11, path: "/secret/x"), miniOpen(13, pid: 10, path: "/home/u/.ssh/id_rsa"),
    ]
    #expect(try miniReplay(lines, policy: policy) == ["key read@3", "key read@9", "key read@13"])
}

@Test func specializingFoldsTheSyscallAndPhase() throws {
    let set = PolicySet.load(yaml: """
        - rule: r
          desc: x
          condition: (evt.type = connect and fd.sport = 22) or (evt.type in (open, openat) and evt.dir = > and fd.name = /x)
          output: x
          priority: WARNING
        """, file: "t.yaml")
    let cond = try #require(set.rules.first?.condition)
    if case .constant = RuleSpecializer.specialize(cond, syscall: "openat", phase: .entry) { Issue.record("openat keeps the path test") }
    guard case .constant(false) = RuleSpecializer.specialize(cond, syscall: "openat", phase: .exit) else {
        Issue.record("evt.dir = > is false at exit"); return
    }
    guard case .leaf(let l) = RuleSpecializer.specialize(cond, syscall: "connect", phase: .entry) else {
        Issue.record("connect leaves only the port test"); return
    }
    #expect(l.field.spec.name == "fd.sport")
    guard case .constant(false) = RuleSpecializer.specialize(cond, syscall: "close", phase: .entry) else {
        Issue.record("close cannot match"); return
    }
}
