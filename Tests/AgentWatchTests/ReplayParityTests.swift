import Foundation
import Glibc
import Testing

/// Replaying a trace recorded by `run --trace` under the same policy yields the
/// very alerts the live run raised: same rule, pid, syscall, event and action.
@Suite struct ReplayParityTests {
    static let policy = EnforcementTests.reverseShellSequence + """
        - rule: Socket onto stdio
          desc: a network socket duplicated onto 0, 1 or 2
          condition: evt.type in (dup2, dup3) and fd.type in (ipv4, ipv6) and evt.arg.newfd in (0, 1, 2)
          output: "%proc.name puts %fd.name on fd %evt.arg.newfd"
          priority: WARNING
          tags: [test]
        - rule: Miner markers
          desc: an image carrying miner markers
          condition: evt.type in (execve, execveat) and proc.exe.markers in (randomx, cryptonight)
          output: "markers %proc.exe.markers"
          priority: CRITICAL
          tags: [test]
          action: kill
        - rule: Memfd image
          desc: a program run from memory
          condition: evt.type in (execve, execveat) and proc.is_exe_from_memfd = true
          output: "memfd exec %proc.exe"
          priority: ERROR
          tags: [test]
        - rule: No secret files
          desc: secret.txt may not be created
          condition: evt.type in (open, openat, creat) and fd.name endswith "/secret.txt"
          output: "secret %fd.name"
          priority: WARNING
          tags: [test]
          action: deny
          errno: EACCES
        - rule: Failed open under etc
          desc: uses the result, so it runs at exit
          condition: evt.type = openat and evt.failed = true and fd.name startswith /etc/
          output: "failed %fd.name"
          priority: NOTICE
          tags: [test]
        - rule: Shell started
          desc: any shell
          condition: evt.type = execve and proc.name in (shell_binaries)
          output: "shell %proc.cmdline"
          priority: NOTICE
          tags: [test]
          action: log
        """

    static func expectParity(_ command: [String], expectRules: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let rec = try ReplayRig.record(command, policy: Self.policy)
        defer { try? FileManager.default.removeItem(atPath: rec.dir) }
        let replayed = try ReplayRig.replay(rec.trace, policy: rec.policy)
        #expect(!rec.liveAlerts.isEmpty, "the live run raised nothing: \(rec.stderr)", sourceLocation: sourceLocation)
        #expect(replayed.alerts == rec.liveAlerts,
                "live:\n\(rec.liveAlerts.map(\.description).joined(separator: "\n"))\nreplay:\n\(replayed.alerts.map(\.description).joined(separator: "\n"))",
                sourceLocation: sourceLocation)
        for r in expectRules {
            #expect(rec.liveAlerts.contains { $0.rule == r }, "\(r) did not fire live", sourceLocation: sourceLocation)
        }
        #expect(replayed.status == 1, "a WARNING or worse matched: exit 1", sourceLocation: sourceLocation)
    }

    @Test func reverseShellKill() throws {
        let l = try Listener()
        defer { l.stop() }
        try Self.expectParity([Harness.fixture("revshell"), "\(l.port)", "shell"], expectRules: ["Reverse shell", "Socket onto stdio"])
    }

    @Test func dup2OntoStdio() throws {
        try Self.expectParity([Harness.fixture("dup2_stdio")], expectRules: ["Socket onto stdio"])
    }

    @Test func staticMinerKilledAtExec() throws {
        try Self.expectParity([Harness.fixture("fakeminer_static")], expectRules: ["Miner markers"])
    }

    @Test func memfdExec() throws {
        try Self.expectParity([Harness.fixture("memfd_exec")], expectRules: ["Memfd image"])
    }

    @Test func denyAndExitRulesInAShell() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.expectParity(["/bin/sh", "-c", "echo x > \(dir)/secret.txt; cat /etc/nonexistent-agentwatch; sh -c true"],
                              expectRules: ["No secret files", "Failed open under etc"])
    }

    /// Names from the live run's /etc/hosts snapshot (in the trace header) count in the replay too.
    @Test func hostNamesFromTheHeader() throws {
        let l = try Listener()
        defer { l.stop() }
        let policy = """
            - rule: Localhost by name
              desc: a connection to an address /etc/hosts names localhost
              condition: evt.type = connect and fd.sip.name = localhost
              output: "connect to %fd.sip.name"
              priority: WARNING
              tags: [test]
            """
        let rec = try ReplayRig.record([Harness.fixture("revshell"), "\(l.port)", "send"], policy: policy)
        defer { try? FileManager.default.removeItem(atPath: rec.dir) }
        try #require(rec.liveAlerts.count == 1, "live: \(rec.stderr)")
        let replayed = try ReplayRig.replay(rec.trace, policy: rec.policy)
        #expect(replayed.alerts == rec.liveAlerts)
    }

    /// The deny really happened live; the replay names the same action.
    @Test func replayReportsTheActionTheLiveRunTook() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rec = try ReplayRig.record(["/bin/sh", "-c", "echo x > \(dir)/secret.txt"], policy: Self.policy)
        defer { try? FileManager.default.removeItem(atPath: rec.dir) }
        let replayed = try ReplayRig.replay(rec.trace, policy: rec.policy)
        let deny = try #require(replayed.alerts.first { $0.rule == "No secret files" })
        #expect(deny.action == "deny")
        #expect(!FileManager.default.fileExists(atPath: dir + "/secret.txt"))
    }
}

/// The same behaviour captured by `strace -f` instead: the same rules fire.
@Suite struct ReplayStraceTests {
    @Test func straceLogNamesTheSameRules() throws {
        let l = try Listener()
        defer { l.stop() }
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/strace.log"
        // strace lets the shell run: the catcher may get bytes, which is fine here.
        let (st, _, err) = try Harness.exec("/usr/bin/strace", ["-f", "-tt", "-yy", "-s", "256", "-o", log,
                                                               Harness.fixture("revshell"), "\(l.port)", "shell"])
        #expect(st == 0 || st == 1, "strace: \(err)")
        let policyFile = dir + "/policy.yaml"
        try ReplayParityTests.policy.write(toFile: policyFile, atomically: true, encoding: .utf8)
        let replayed = try ReplayRig.replay(log, policy: policyFile)
        let rules = Set(replayed.alerts.map(\.rule))
        #expect(rules.contains("Reverse shell"), "\(replayed.stdout)\n\(replayed.stderr)")
        #expect(rules.contains("Socket onto stdio"))
        #expect(replayed.status == 1)

        let rec = try ReplayRig.record([Harness.fixture("revshell"), "\(l.port)", "shell"], policy: ReplayParityTests.policy)
        defer { try? FileManager.default.removeItem(atPath: rec.dir) }
        #expect(Set(rec.liveAlerts.map(\.rule)).isSubset(of: rules), "live \(rec.liveAlerts) vs strace \(replayed.alerts)")
    }

    @Test func straceAloneIsDetectedAndFormatCanBeForced() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/s.log"
        _ = try Harness.exec("/usr/bin/strace", ["-f", "-o", log, "/bin/sh", "-c", "cat /etc/nonexistent-agentwatch; true"])
        let policyFile = dir + "/policy.yaml"
        try ReplayParityTests.policy.write(toFile: policyFile, atomically: true, encoding: .utf8)
        let auto = try ReplayRig.replay(log, policy: policyFile)
        let forced = try ReplayRig.replay(log, policy: policyFile, extra: ["--format", "strace"])
        #expect(auto.alerts.contains { $0.rule == "Failed open under etc" })
        #expect(forced.alerts == auto.alerts)
        #expect(auto.status == 0, "only NOTICE matched: below the default --fail-on WARNING")
        let wrong = try ReplayRig.replay(log, policy: policyFile, extra: ["--format", "agentwatch"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.hasPrefix(log + ":1: "))
    }
}
