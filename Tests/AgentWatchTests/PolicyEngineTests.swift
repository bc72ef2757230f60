import Testing
@testable import AgentWatchCore

@Suite struct PolicyEngineTests {
    static let rules = """
    - rule: open etc
      desc: d
      condition: evt.type in (open, openat) and fd.name startswith /etc/
      output: o
      priority: WARNING
      action: deny
    - rule: open failed
      desc: d
      condition: evt.type = openat and evt.failed = true
      output: o %evt.res
      priority: NOTICE
    - rule: opened fd
      desc: d
      condition: evt.type = openat and fd.num >= 0 and fd.name = /tmp/x
      output: fd %fd.num
      priority: NOTICE
    - rule: exec shell
      desc: d
      condition: evt.type = execve and proc.name = sh
      output: o
      priority: NOTICE
    - rule: exec shell done
      desc: d
      condition: evt.type = execve and evt.res = SUCCESS and proc.name = sh
      output: o
      priority: NOTICE
    - rule: connect exit
      desc: d
      condition: evt.type = connect and evt.dir = <
      output: o
      priority: NOTICE
    - rule: not open
      desc: d
      condition: evt.type != openat and proc.name = nothing-runs-this
      output: o
      priority: DEBUG
      warn_evttypes: false
    """

    @Test func tracedSyscallsAndPhases() {
        let e = engine(Self.rules)
        #expect(e.policies.errors.isEmpty, "\(e.policies.errors)")
        #expect(e.tracedSyscalls == ["open", "openat", "execve", "connect"])
        #expect(e.tracesAllSyscalls)  // "not open" matches any syscall but openat
        #expect(e.needsExit("openat"))  // evt.failed, fd.num
        #expect(e.needsEntry("openat"))  // open etc
        #expect(!e.needsExit("open"))
        #expect(e.needsExit("connect"))
        #expect(e.needsExit("execve") && e.needsEntry("execve"))
        #expect(!e.needsExit("read"))
        #expect(e.rules(for: "read").map(\.name) == ["not open"])
        #expect(e.rules(for: "openat").map(\.name) == ["open etc", "open failed", "opened fd"])
    }

    @Test func entryRulesRunAtEntryOnly() {
        let e = engine(Self.rules)
        let w = PolicyWorld()
        let args = PolicyWorld.openat("/etc/passwd")
        #expect(fired(e, w, w.sys("openat", args)) == ["open etc"])
        #expect(fired(e, w, w.sys("openat", args, ret: 3, out: [Arg("fd", .fd(3, FdInfo(kind: .file, name: "/etc/passwd")))])).isEmpty)
        let m = e.evaluate(w.sys("openat", args, ret: -2), processes: w.table)
        #expect(m.map(\.rule) == ["open failed"])
        #expect(m.first?.output == "o ENOENT")
    }

    @Test func fdNumComesFromTheResultAtExit() {
        let e = engine(Self.rules)
        let w = PolicyWorld()
        let args = PolicyWorld.openat("/tmp/x")
        #expect(fired(e, w, w.sys("openat", args)).isEmpty)
        let m = e.evaluate(w.sys("openat", args, ret: 7), processes: w.table)
        #expect(m.map(\.rule) == ["opened fd"])
        #expect(m.first?.output == "fd 7")
        // A failed open has fd.num = -1.
        #expect(fired(e, w, w.sys("openat", args, ret: -13)) == ["open failed"])
    }

    @Test func execveEntrySeesTheNewImageAndExecEventIsTheExit() {
        let e = engine(Self.rules)
        let w = PolicyWorld()
        w.spawn(pid: 300, ppid: 100, exe: "/usr/bin/python3", argv: ["python3"])
        let entry = w.sys("execve", pid: 300, [Arg("pathname", .path("/bin/sh", raw: "sh")), Arg("argv", .strings(["sh", "-i"], truncated: false))])
        #expect(fired(e, w, entry) == ["exec shell"])
        #expect(fired(e, w, w.exec(pid: 300, exe: "/bin/sh", argv: ["sh", "-i"])) == ["exec shell done"])
        // The successful syscall exit is covered by the exec event.
        let exit = w.sys("execve", pid: 300, [Arg("pathname", .path("/bin/sh", raw: "sh"))], ret: 0)
        #expect(fired(e, w, exit).isEmpty)
    }

    @Test func evtDirSelectsExit() {
        let e = engine(Self.rules)
        let w = PolicyWorld()
        let args = [Arg("sockfd", PolicyWorld.tcp(3)), Arg("addr", PolicyWorld.inet("1.2.3.4", 80))]
        #expect(fired(e, w, w.sys("connect", args)).isEmpty)
        #expect(fired(e, w, w.sys("connect", args, ret: -115)) == ["connect exit"])
    }

    @Test func deniedSyscallsAreNotEvaluatedAtExit() {
        let e = engine(Self.rules)
        let w = PolicyWorld()
        let ev = Event(seq: 1, mono: 1, wall: 1, pid: 100, tid: 100,
                       kind: .syscall(Syscall(name: "openat", nr: 257, arch: .x86_64, args: PolicyWorld.openat("/tmp/x"),
                                              exit: SyscallExit(ret: -1), denied: true)))
        #expect(fired(e, w, ev).isEmpty)
    }

    @Test func matchCarriesActionAndFields() throws {
        let e = engine(Self.rules)
        let w = PolicyWorld()
        let m = try #require(e.evaluate(w.sys("openat", PolicyWorld.openat("/etc/shadow")), processes: w.table).first)
        #expect(m.action == .deny && m.errno == 1 && m.phase == .entry && m.syscall == "openat" && m.pid == 100)
        #expect(m.fields.map(\.0) == ["evt.type", "fd.name"])
        #expect(m.fields.map(\.1) == ["openat", "/etc/shadow"])
    }
}

@Suite struct PolicySequenceTests {
    static let yaml = """
    - list: shell_binaries
      items: [bash, sh, dash, zsh]
    - rule: Reverse shell
      desc: socket connected out, duplicated onto stdio, then a shell
      sequence:
        by: proc.pid
        within: 30s
        steps:
          - evt.type = connect and fd.typechar in (4, 6) and not fd.snet in ("127.0.0.0/8", "::1/128")
          - evt.type in (dup2, dup3) and fd.num = step[1].fd.num and evt.arg.newfd in (0, 1, 2)
          - evt.type = execve and proc.name in (shell_binaries)
      output: reverse shell %proc.name
      priority: CRITICAL
      action: kill
    """

    func connect(_ w: PolicyWorld, fd: Int32 = 3, to: String = "203.0.113.9", pid: Int32 = 100) -> Event {
        w.sys("connect", pid: pid, [Arg("sockfd", PolicyWorld.tcp(fd)), Arg("addr", PolicyWorld.inet(to, 4444))])
    }

    func dup2(_ w: PolicyWorld, _ old: Int32, _ new: Int64, pid: Int32 = 100) -> Event {
        w.sys("dup2", pid: pid, [Arg("oldfd", PolicyWorld.tcp(old)), Arg("newfd", .int(new))])
    }

    func execShell(_ w: PolicyWorld, pid: Int32 = 100) -> Event {
        w.sys("execve", pid: pid, [Arg("pathname", .path("/bin/sh", raw: "/bin/sh")), Arg("argv", .strings(["sh", "-i"], truncated: false))])
    }

    @Test func matchesInOrder() throws {
        let e = engine(Self.yaml)
        #expect(e.policies.errors.isEmpty, "\(e.policies.errors)")
        #expect(e.tracedSyscalls == ["connect", "dup2", "dup3", "execve"])
        let w = PolicyWorld()
        #expect(fired(e, w, connect(w)).isEmpty)
        #expect(fired(e, w, dup2(w, 3, 0)).isEmpty)
        #expect(fired(e, w, dup2(w, 3, 1)).isEmpty)
        let last = execShell(w)
        let m = e.evaluate(last, processes: w.table)
        #expect(m.map(\.rule) == ["Reverse shell"])
        let r = try #require(m.first)
        #expect(r.action == .kill && r.phase == .entry && r.output == "reverse shell sh")
        #expect(r.stepSeqs.count == 3 && r.stepSeqs.last == last.seq)
    }

    @Test func innocentOrderDoesNotMatch() {
        do {
            let e = engine(Self.yaml)
            let w = PolicyWorld()
            for ev in [execShell(w), dup2(w, 3, 0), connect(w)] { #expect(fired(e, w, ev).isEmpty) }
        }
        do {
            let e = engine(Self.yaml)
            let w = PolicyWorld()
            for ev in [dup2(w, 3, 0), connect(w), execShell(w)] { #expect(fired(e, w, ev).isEmpty) }
        }
    }

    @Test func otherFdLoopbackOtherProcessOrTooLateDoNotMatch() {
        do {
            let e = engine(Self.yaml)
            let w = PolicyWorld()
            for ev in [connect(w, fd: 3), dup2(w, 4, 0), execShell(w)] { #expect(fired(e, w, ev).isEmpty) }
        }
        do {
            let e = engine(Self.yaml)
            let w = PolicyWorld()
            for ev in [connect(w, to: "127.0.0.1"), dup2(w, 3, 0), execShell(w)] { #expect(fired(e, w, ev).isEmpty) }
        }
        do {
            let e = engine(Self.yaml)
            let w = PolicyWorld()
            w.spawn(pid: 200, ppid: 100, exe: "/usr/bin/python3", argv: ["python3"])
            for ev in [connect(w), dup2(w, 3, 0, pid: 200), execShell(w, pid: 200)] { #expect(fired(e, w, ev).isEmpty) }
        }
        do {
            let e = engine(Self.yaml)
            let w = PolicyWorld()
            #expect(fired(e, w, connect(w)).isEmpty)
            w.mono += 31_000_000_000
            for ev in [dup2(w, 3, 0), execShell(w)] { #expect(fired(e, w, ev).isEmpty) }
        }
        do {
            // dup2 onto a non-stdio fd is not a redirect.
            let e = engine(Self.yaml)
            let w = PolicyWorld()
            for ev in [connect(w), dup2(w, 3, 5), execShell(w)] { #expect(fired(e, w, ev).isEmpty) }
        }
    }

    @Test func bySessionFollowsForks() {
        let e = engine(Self.yaml.replacingOccurrences(of: "by: proc.pid", with: "by: proc.sid"))
        let w = PolicyWorld()
        w.spawn(pid: 200, ppid: 100, exe: "/usr/bin/python3", argv: ["python3"])
        #expect(fired(e, w, connect(w)).isEmpty)
        #expect(fired(e, w, dup2(w, 3, 0)).isEmpty)
        #expect(fired(e, w, execShell(w, pid: 200)) == ["Reverse shell"])
    }

    @Test func stepReferenceToLaterStepIsAnError() {
        let set = PolicySet.load(yaml: """
        - rule: s
          desc: d
          sequence:
            steps:
              - evt.type = connect and fd.num = step[2].fd.num
              - evt.type = dup2
          output: o
          priority: ERROR
        """, file: "s.yaml")
        #expect(set.errors.map(\.description) == ["s.yaml:5:41: error: step[2] is not an earlier step (this is step 1)"])
    }

    @Test func partialMatchesAreBounded() {
        let e = engine(Self.yaml)
        let w = PolicyWorld()
        // Many connects on many fds keep only a few partials per key, and the newest still completes.
        for fd in Int32(10)..<Int32(40) { _ = fired(e, w, connect(w, fd: fd)) }
        #expect(fired(e, w, dup2(w, 39, 0)).isEmpty)
        #expect(fired(e, w, execShell(w)) == ["Reverse shell"])
        #expect(SequenceTracker.maxPartialsPerKey <= 8)
    }
}
