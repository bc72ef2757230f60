import Foundation
import Glibc
import Testing

/// Policies acting on real processes: deny, kill, pause, audit, sequences.
@Suite struct EnforcementTests {
    static let denySecret = """
        - rule: No secret files
          desc: the agent may not create secret.txt
          condition: evt.type in (open, openat, creat) and fd.name endswith "/secret.txt"
          output: "write of %fd.name by %proc.name"
          priority: WARNING
          tags: [test]
          action: deny
          errno: EACCES
        """

    @Test func denyFailsTheSyscallAndNothingIsCreated() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Harness.run(["/bin/sh", "-c", "echo x > \(dir)/secret.txt; echo rc=$?; echo y > \(dir)/fine.txt"],
                                policy: Self.denySecret)
        #expect(r.stdout == "rc=2\n")
        #expect(r.stderr.contains("Permission denied"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/secret.txt"))
        #expect(FileManager.default.fileExists(atPath: dir + "/fine.txt"))
        let alert = try #require(r.alerts.first)
        #expect(r.alerts.count == 1)
        #expect(alert["rule"] as? String == "No secret files")
        #expect(alert["action"] as? String == "deny")
        #expect(alert["output"] as? String == "write of \(dir)/secret.txt by dash")
        #expect((alert["proc"] as? [String: Any])?["exe"] as? String == "/usr/bin/dash")
        #expect((alert["fields"] as? [String: Any])?["fd.name"] as? String == dir + "/secret.txt")
        let open = try #require(r.syscalls("openat").first { $0.path("filename") == dir + "/secret.txt" })
        #expect(open["denied"] as? Bool == true)
        #expect(open.str("errno") == "EACCES")
        #expect(r.events.contains { $0.str("ev") == "alert" })
        #expect(r.status == 0)
    }

    @Test func auditModeOnlyAlerts() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Harness.run(["/bin/sh", "-c", "echo x > \(dir)/secret.txt"], options: ["--mode", "audit"],
                                policy: Self.denySecret)
        #expect(r.status == 0)
        #expect(FileManager.default.fileExists(atPath: dir + "/secret.txt"))
        let alert = try #require(r.alerts.first)
        #expect(alert["action"] as? String == "alert")
        #expect(alert["intended"] as? String == "deny")
    }

    @Test func denyConnect() throws {
        let l = try Listener()
        defer { l.stop() }
        let policy = """
            - rule: No pool port
              desc: connect to the test port
              condition: evt.type = connect and fd.sport = \(l.port)
              priority: ERROR
              tags: [test]
              action: deny
            """
        let r = try Harness.run([Harness.fixture("revshell"), "\(l.port)", "send"], policy: policy)
        #expect(r.stderr.contains("connect: Operation not permitted"))
        #expect(r.status == 3)
        usleep(100_000)
        #expect(l.connections == 0)
    }

    @Test func killTakesTheWholeTreeAndNothingLeaves() throws {
        let l = try Listener()
        defer { l.stop() }
        let policy = """
            - rule: Pool connection
              desc: connect to the test port
              condition: evt.type = connect and fd.sport = \(l.port)
              output: "%proc.name connects to %fd.sip:%fd.sport"
              priority: CRITICAL
              tags: [test, mitre_impact]
              action: kill
            """
        let script = "\(Harness.fixture("daemonize")) 30; \(Harness.fixture("revshell")) \(l.port) send; echo after"
        let r = try Harness.run(["/bin/sh", "-c", script], policy: policy)
        #expect(r.status == 86)
        #expect(!r.stdout.contains("sent"))
        #expect(!r.stdout.contains("after"))
        usleep(200_000)
        #expect(l.bytes == 0)
        #expect(l.connections == 0)
        let pids = r.events("spawn").compactMap { $0.int("pid") }.map { Int32($0) }
        #expect(pids.count >= 4)
        for pid in pids { #expect(TracerExitTests.goneOrZombie(pid)) }
        let alert = try #require(r.alerts.first)
        #expect(alert["action"] as? String == "kill")
        #expect((alert["proc"] as? [String: Any])?["ancestors"] as? [Any] != nil)
        #expect(r.stderr.contains("killed for a policy violation"))
    }

    static let pauseOnSecret = """
        - rule: Ask before secret files
          desc: pause the agent before it creates secret.txt
          condition: evt.type in (open, openat) and fd.name endswith "/secret.txt"
          priority: NOTICE
          tags: [test]
          action: pause
        """

    @Test(arguments: [(SIGUSR1, true), (SIGUSR2, false)])
    func pauseThenDecideBySignal(sig: Int32, allowed: Bool) throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Harness.run(["/bin/sh", "-c", "echo x > \(dir)/secret.txt; echo done"], policy: Self.pauseOnSecret) { p in
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                // The tracer's prompt says where to send the decision once everything is held.
                if FileManager.default.fileExists(atPath: dir + "/secret.txt") { break }
                if let t = try? String(contentsOfFile: "/proc/\(p.processIdentifier)/wchan", encoding: .utf8),
                   t.contains("sigtimedwait") || t.contains("do_sigtimedwait") { break }
                usleep(20_000)
            }
            kill(p.processIdentifier, sig)
        }
        #expect(r.stderr.contains("PAUSED"))
        #expect(FileManager.default.fileExists(atPath: dir + "/secret.txt") == allowed)
        if allowed {
            #expect(r.stdout == "done\n")
            #expect(r.status == 0)
        } else {
            #expect(r.status == 86)
            #expect(r.stdout.isEmpty)
        }
    }

    static let reverseShellSequence = (try? String(contentsOfFile: Harness.repo + "/Fixtures/policies/reverse_shell_sequence.yaml",
                                                    encoding: .utf8)) ?? ""

    @Test func sequenceCatchesTheReverseShell() throws {
        let l = try Listener()
        defer { l.stop() }
        let r = try Harness.run([Harness.fixture("revshell"), "\(l.port)", "shell"], policy: Self.reverseShellSequence)
        #expect(r.status == 86)
        let alert = try #require(r.alerts.first)
        #expect(alert["rule"] as? String == "Reverse shell")
        #expect((alert["steps"] as? [Any])?.count == 3)
        usleep(100_000)
        #expect(l.bytes == 0, "the shell must never run")
    }

    @Test func sameSyscallsInAnInnocentOrderDoNotAlert() throws {
        let l = try Listener()
        defer { l.stop() }
        let r = try Harness.run([Harness.fixture("revshell"), "\(l.port)", "pipe"], policy: Self.reverseShellSequence)
        #expect(r.alerts.isEmpty)
        #expect(r.stdout == "shell-ran\n")
        #expect(r.status == 0)
    }

    @Test func brokenPolicyIsRejectedWithFileLine() throws {
        let r = try Harness.run(["/bin/true"], policy: "- rule: X\n  desc: d\n  condition: evt.type = = open\n  priority: INFO\n")
        #expect(r.status == 2)
        #expect(r.stderr.contains("policy.yaml:3:"))
        #expect(r.events.isEmpty)
    }
}

@Suite struct PausePromptTests {
    /// On a terminal the operator answers the prompt: a, d or k.
    @Test(arguments: [("a\n", true, Int32(0)), ("d\n", false, Int32(0)), ("k\n", false, Int32(86))])
    func operatorAnswersOnTheTerminal(answer: String, created: Bool, status: Int32) throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let policy = dir + "/pause.yaml"
        try EnforcementTests.pauseOnSecret.write(toFile: policy, atomically: true, encoding: .utf8)
        let (st, out, _) = try Harness.exec(
            "/usr/bin/python3",
            [Harness.repo + "/Fixtures/rogue/pty_answer.py", "[k]ill the agent?", answer, Harness.agentwatch, "run",
             "--no-defaults", "--policy", policy, "--", "/bin/sh", "-c", "echo x > \(dir)/secret.txt; echo finished"])
        #expect(out.contains("PAUSED"))
        #expect(FileManager.default.fileExists(atPath: dir + "/secret.txt") == created)
        #expect(st == status)
        if status == 0 { #expect(out.contains("finished")) }
    }
}

@Suite struct KillScopeTests {
    @Test func scopeProcessKillsOnlyTheOffender() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let policy = """
            - rule: No touching marker
              desc: kill only the process that creates the marker
              condition: evt.type in (open, openat) and fd.name endswith "/marker"
              priority: ERROR
              tags: [test]
              action: kill
              scope: process
            """
        let r = try Harness.run(["/bin/sh", "-c", "/bin/sh -c 'echo x > \(dir)/marker'; echo parent-continues=$?"], policy: policy)
        #expect(r.stdout == "parent-continues=137\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/marker"))
        #expect(r.alerts.first?["action"] as? String == "kill")
        #expect(r.status == 86)
    }
}
