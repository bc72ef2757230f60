import Foundation
import Testing
@testable import AgentWatchCore
import Yams

/// `agentwatch test`: case files, expectations, and what is printed.
@Suite struct PolicyCaseTests {
    static let rules = """
        - rule: Shell spawned
          desc: a shell
          condition: evt.type = execve and proc.name in (sh, bash, dash)
          output: "shell %proc.cmdline"
          priority: WARNING
          tags: [test]
        - rule: Etc write
          desc: writes under /etc
          condition: evt.type = openat and evt.is_open_write = true and fd.name startswith /etc/
          output: "write %fd.name"
          priority: ERROR
          tags: [test]
          action: deny
        - rule: Quiet log
          desc: logged only
          condition: evt.type = setsid
          priority: INFO
          tags: [test]
          action: log
        """

    /// Writes the rules and a case file into a scratch directory; returns the case file path.
    static func write(_ cases: String) throws -> (dir: String, file: String) {
        let dir = Harness.tempDir()
        try rules.write(toFile: dir + "/rules.yaml", atomically: true, encoding: .utf8)
        let file = dir + "/rules.test.yaml"
        try ("policies: [rules.yaml]\ncases:\n" + cases).write(toFile: file, atomically: true, encoding: .utf8)
        return (dir, file)
    }

    static func run(_ cases: String) throws -> [CaseResult] {
        let (dir, file) = try write(cases)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (loaded, diagnostics) = PolicyCaseLoader.load(path: file)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let runner = PolicyCaseRunner(agentwatch: Harness.agentwatch, builtinDirectory: nil)
        return loaded.map { runner.run($0) }
    }

    @Test func passingExpectationsAndMarks() throws {
        let r = try Self.run("""
              - name: shell, then a denied write
                events:
                  - {ev: spawn, exe: /usr/bin/python3}
                  - {ev: execve, exe: /bin/sh, argv: [sh, -c, id], ruleid: Shell spawned}
                  - {ev: syscall, sc: openat, args: {dirfd: -100, filename: {path: /etc/x}, flags: {flags: "O_WRONLY|O_CREAT", raw: 65}}, ruleid: Etc write}
                  - {ev: syscall, sc: setsid, args: {}}
                expect:
                  - {rule: Shell spawned, action: alert, count: 1, seq: 2, syscall: execve}
                  - {rule: Etc write, action: deny, syscall: openat}
                  - Quiet log
                expect_not: []
            """)
        #expect(r.count == 1)
        #expect(r.first?.status == .pass, "\(r.first?.reason ?? "")")
        #expect(r.first?.fired == ["Shell spawned": 1, "Etc write": 1, "Quiet log": 1])
    }

    @Test func failuresSayWhatFiredInstead() throws {
        let r = try Self.run("""
              - name: wrong action
                events:
                  - {ev: spawn, exe: /usr/bin/python3}
                  - {ev: execve, exe: /bin/sh}
                expect: [{rule: Shell spawned, action: kill}]
              - name: wrong count
                events:
                  - {ev: spawn, exe: /usr/bin/python3}
                  - {ev: execve, exe: /bin/sh}
                  - {ev: execve, exe: /bin/bash}
                expect: [{rule: Shell spawned, count: 1}]
              - name: must not fire
                events:
                  - {ev: spawn, exe: /usr/bin/python3}
                  - {ev: execve, exe: /bin/sh, ok: Shell spawned}
                expect_not: [Shell spawned]
              - name: never fired
                events:
                  - {ev: spawn, exe: /usr/bin/python3}
                  - {ev: execve, exe: /usr/bin/ls, ruleid: Shell spawned}
            """)
        #expect(r.map(\.status) == [.fail, .fail, .fail, .fail])
        #expect(r[0].reason == "`Shell spawned` did not fire with action kill (fired: alert on seq 2 execve pid 100)")
        #expect(r[1].reason == "`Shell spawned` fired 2 times, expected once (fired: alert on seq 2 execve pid 100, alert on seq 5 execve pid 100)")
        #expect(r[2].reason.contains("`Shell spawned` fired (fired: alert on seq 2"))
        #expect(r[2].reason.contains("marked ok"))
        #expect(r[3].reason.hasPrefix("`Shell spawned` did not fire on the event of line"))
        #expect(PolicyCaseReport.line(r[0]).hasPrefix("FAIL wrong action: "))
        #expect(PolicyCaseReport.line(r[0]).hasSuffix("rules.test.yaml:3)"))
    }

    @Test func misspelledRuleNamesFailWithASuggestion() throws {
        let r = try Self.run("""
              - name: typo
                events:
                  - {ev: spawn, exe: /usr/bin/python3}
                expect_not: [Shell spawnd]
            """)
        #expect(r.first?.status == .fail)
        #expect(r.first?.reason.contains("no rule named `Shell spawnd` in the policies; did you mean `Shell spawned`?") == true)
    }

    @Test func todoCasesAreSkipped() throws {
        let r = try Self.run("""
              - name: known gap
                todo: the decoder does not see this yet
                events:
                  - {ev: spawn, exe: /usr/bin/python3}
                expect: [Shell spawned]
              - name: closed gap
                todo: fixed since
                events:
                  - {ev: spawn, exe: /usr/bin/python3}
                  - {ev: execve, exe: /bin/sh}
                expect: [Shell spawned]
            """)
        #expect(r.map(\.status) == [.skip, .skip])
        #expect(PolicyCaseReport.line(r[0]) == "SKIP known gap: the decoder does not see this yet")
        #expect(r[1].reason == "fixed since (passes now: remove `todo`)")
    }

    @Test func inlineDefaultsFollowTheLiveNumbering() throws {
        let node = try #require(try Yams.compose(yaml: """
            - {ev: spawn, exe: /usr/bin/python3, cwd: /work}
            - {ev: syscall, sc: openat, args: {dirfd: -100, filename: {path: /etc/x}}, ret: 3}
            - {ev: execve, exe: /bin/sh, argv: [sh, -c, x]}
            - {ev: spawn, exe: /bin/sh}
            - {ev: exit, code: 0}
            """))
        let e = InlineEvents(node, source: SourceFile(name: "t.yaml", text: ""))
        #expect(e.diagnostics.isEmpty)
        #expect(e.events.map(\.seq) == [1, 2, 4, 5, 7, 8])
        #expect(e.events.map(\.pid) == [100, 100, 100, 100, 101, 101])
        guard case .syscall(let open) = e.events[1].kind, case .syscall(let exec) = e.events[2].kind,
              case .exec(let image) = e.events[3].kind, case .spawn(let child) = e.events[4].kind else {
            Issue.record("unexpected kinds \(e.events.map(\.kind))")
            return
        }
        #expect(open.exitSeq == 3)
        #expect(exec.exitSeq == 6 && exec.exit?.ret == 0)
        #expect(image.exe == "/bin/sh" && image.argv == ["sh", "-c", "x"] && image.cwd == "/work")
        #expect(child.ppid == 100 && child.via == "fork" && child.argv == ["sh"] && child.cwd == "/work")
        #expect(e.events[0].wall == InlineEvents.startWall + InlineEvents.step)
    }

    @Test func badCaseFilesPointAtTheLine() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/bad.yaml"
        try """
            policies: [nothing.yaml]
            cases:
              - name: a
                evnts: []
              - name: b
                events:
                  - {sc: openat}
                expect: [x]
              - name: c
                events: [{ev: spawn, exe: /bin/sh}]
                expect: [{rule: x, action: explode}]
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let (status, out, err) = try Harness.exec(Harness.agentwatch, ["test", file])
        #expect(status == 2)
        #expect(err.contains(file + ":4: unknown key `evnts`; did you mean `events`?"))
        #expect(err.contains(file + ":7: each event needs `ev`"))
        #expect(err.contains(file + ":11: `action` is one of log, alert, deny, kill, pause"))
        #expect(out.hasSuffix("0 passed, 1 failed\n"))
    }

    @Test func traceStraceAndLiveSourcesThroughTheCLI() throws {
        let (dir, file) = try Self.write("""
              - name: live shell
                run: [/bin/sh, -c, "cat /etc/hostname > /dev/null"]
                expect: [Shell spawned]
                expect_not: [Etc write]
              - name: live write denied
                run: "echo x > /etc/agentwatch-case-test-never-created"
                expect: [{rule: Etc write, action: deny}]
              - name: strace log
                strace: s.log
                expect: [Shell spawned]
            """)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Harness.exec("/usr/bin/strace", ["-f", "-o", dir + "/s.log", "/bin/sh", "-c", "true"])
        let (status, out, err) = try Harness.exec(Harness.agentwatch, ["test", file])
        #expect(out == "PASS live shell\nPASS live write denied\nPASS strace log\n3 passed, 0 failed\n", "\(err)")
        #expect(status == 0)
        #expect(!FileManager.default.fileExists(atPath: "/etc/agentwatch-case-test-never-created"))
        let (_, json, _) = try Harness.exec(Harness.agentwatch, ["test", "--format", "json", "--case", "strace", file])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(obj["passed"] as? Int == 1 && obj["failed"] as? Int == 0)
        #expect((obj["cases"] as? [[String: Any]])?.first?["name"] as? String == "strace log")
    }
}

/// The built-in pack's own cases: all pass, and every rule has a positive and a negative one.
@Suite struct PolicyCasePackTests {
    @Test func packCasesPass() throws {
        let (status, out, err) = try Harness.exec(Harness.agentwatch, ["test", Harness.repo + "/Policies/tests/"])
        let failures = out.split(separator: "\n").filter { $0.hasPrefix("FAIL") }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))\n\(err)")
        #expect(status == 0)
        #expect(out.split(separator: "\n").last?.hasSuffix(" passed, 0 failed") == true)
    }

    @Test func everyPackRuleHasAPositiveAndANegativeCase() throws {
        let dir = Harness.repo + "/Policies"
        let set = PolicySet.load(paths: PolicyFiles.expand(dir) + PolicyFiles.expand(dir + "/optional"))
        var positive: Set<String> = [], negative: Set<String> = []
        for file in PolicyFiles.expand(dir + "/tests") {
            let (cases, diagnostics) = PolicyCaseLoader.load(path: file)
            #expect(diagnostics.isEmpty, "\(diagnostics)")
            for c in cases where c.todo == nil {
                positive.formUnion(c.expect.filter { $0.count != 0 }.map(\.rule))
                negative.formUnion(c.expectNot.map(\.rule))
                if case .events(let inline) = c.source {
                    positive.formUnion(inline.mustFire.map(\.rule))
                    negative.formUnion(inline.mustNotFire.map(\.rule))
                }
            }
        }
        let rules = Set(set.rules.map(\.name))
        #expect(rules.count > 40)
        #expect(rules.subtracting(positive).sorted() == [], "rules without a case where they fire")
        #expect(rules.subtracting(negative).sorted() == [], "rules without a case where they stay quiet")
    }
}
