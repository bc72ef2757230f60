import Foundation
import Glibc
import Testing
@testable import AgentWatchCore

/// `agentwatch replay` on hand-written traces: filters, summary, exit status, bad input.
@Suite struct ReplayCLITests {
    static let policy = """
        - rule: Shell spawned
          desc: a shell
          condition: evt.type = execve and proc.name in (sh, bash)
          output: "shell %proc.cmdline"
          priority: WARNING
          tags: [test]
        - rule: Etc read
          desc: opens under /etc
          condition: evt.type = openat and fd.name startswith /etc/
          priority: NOTICE
          tags: [test]
        """

    /// Root 100 (python) forks 101, which runs sh; 100 forks 102, which opens /etc/hosts at 3 s.
    static let trace = """
        {"agentwatch_trace":1,"version":"t","host":"h","command":["python3"],"start_wall":1767225600000000000,"tracer_pid":1}
        {"seq":1,"mono":0,"wall":1767225600000000000,"pid":100,"tid":100,"ev":"spawn","ppid":1,"via":"root","exe":"/usr/bin/python3","argv":["python3"],"cwd":"/","comm":"python3"}
        {"seq":2,"mono":1000000000,"wall":1767225601000000000,"pid":101,"tid":101,"ev":"spawn","ppid":100,"via":"fork","exe":"/usr/bin/python3","argv":["python3"],"cwd":"/","comm":"python3"}
        {"seq":4,"mono":1000000002,"wall":1767225601000000002,"pid":101,"tid":101,"ev":"exec","exe":"/usr/bin/dash","path":"/bin/sh","argv":["sh","-c","id"],"cwd":"/","comm":"sh"}
        {"seq":3,"mono":1000000001,"wall":1767225601000000001,"pid":101,"tid":101,"ev":"syscall","sc":"execve","args":{"filename":{"path":"/bin/sh"},"argv":{"strv":["sh","-c","id"]}},"ret":0,"xseq":5}
        {"seq":6,"mono":2000000000,"wall":1767225602000000000,"pid":101,"tid":101,"ev":"exit","code":0,"process":true}
        {"seq":7,"mono":2500000000,"wall":1767225602500000000,"pid":102,"tid":102,"ev":"spawn","ppid":100,"via":"fork","exe":"/usr/bin/python3","argv":["python3"],"cwd":"/","comm":"python3"}
        {"seq":8,"mono":3000000000,"wall":1767225603000000000,"pid":102,"tid":102,"ev":"syscall","sc":"openat","args":{"dirfd":-100,"filename":{"path":"/etc/hosts"},"flags":{"flags":"O_RDONLY","raw":0}},"ret":3,"xseq":9}

        """

    static func replay(_ extra: [String], trace: String = trace) throws -> (Int32, String, String) {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try policy.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        try trace.write(toFile: dir + "/t.jsonl", atomically: true, encoding: .utf8)
        let (st, out, err) = try Harness.exec(Harness.agentwatch, ["replay", "--no-defaults", "--policy", dir + "/p.yaml", dir + "/t.jsonl"] + extra)
        return (st, out.replacingOccurrences(of: dir, with: "DIR"), err.replacingOccurrences(of: dir, with: "DIR"))
    }

    static func rules(_ out: String) -> [String] {
        out.split(separator: "\n").compactMap { l in
            l.contains("Shell spawned") ? "Shell spawned" : l.contains("Etc read") ? "Etc read" : nil
        }
    }

    @Test func everythingAndTheExitStatus() throws {
        let (st, out, _) = try Self.replay([])
        #expect(Self.rules(out) == ["Shell spawned", "Etc read"])
        #expect(st == 1, "a WARNING matched")
        #expect(try Self.replay(["--fail-on", "error"]).0 == 0)
        #expect(try Self.replay(["--fail-on", "notice", "--pid", "102"]).0 == 1)
        #expect(try Self.replay(["--pid", "102"]).0 == 0, "only the NOTICE is left")
    }

    @Test func pidKeepsTheProcessAndItsDescendants() throws {
        #expect(Self.rules(try Self.replay(["--pid", "101"]).1) == ["Shell spawned"])
        #expect(Self.rules(try Self.replay(["--pid", "100"]).1) == ["Shell spawned", "Etc read"])
        #expect(Self.rules(try Self.replay(["--pid", "101", "--pid", "102"]).1) == ["Shell spawned", "Etc read"])
    }

    @Test func timeWindowsInSecondsAndWallTime() throws {
        #expect(Self.rules(try Self.replay(["--since", "2.5"]).1) == ["Etc read"])
        #expect(Self.rules(try Self.replay(["--until", "1.5"]).1) == ["Shell spawned"])
        #expect(Self.rules(try Self.replay(["--since", "2026-01-01T00:00:02Z"]).1) == ["Etc read"])
        #expect(Self.rules(try Self.replay(["--until", "2026-01-01T01:00:01.5+01:00"]).1) == ["Shell spawned"])
        #expect(try Self.replay(["--since", "yesterday"]).0 == 64, "a usage error")
    }

    @Test func summaryCountsAndTree() throws {
        let (_, out, _) = try Self.replay(["--summary"])
        #expect(out.contains("      1  Shell spawned (Warning)\n"))
        #expect(out.contains("  100 /usr/bin/python3 (python3)\n"))
        #expect(out.contains("  ├─ 101 /bin/sh (sh -c id)  ← Shell spawned\n"))
        #expect(out.contains("  └─ 102 /usr/bin/python3 (python3)  ← Etc read\n"))
    }

    @Test func badLinesAndCutLastLines() throws {
        var lines = Self.trace.split(separator: "\n").map(String.init)
        lines[4] = "{\"seq\":3,\"pid\":"
        let (st, _, err) = try Self.replay([], trace: lines.joined(separator: "\n") + "\n")
        #expect(st == 2)
        #expect(err.hasPrefix("DIR/t.jsonl:5: "), "\(err)")
        let cut = Self.trace + "{\"seq\":10,\"mono\":1"
        let (st2, out2, err2) = try Self.replay([], trace: cut)
        #expect(st2 == 1)
        #expect(Self.rules(out2) == ["Shell spawned", "Etc read"])
        #expect(err2.contains("DIR/t.jsonl:9: last line is cut short"))
    }

    @Test func isoTimes() {
        #expect(ReplayTime("2026-01-01T00:00:00Z") == .wall(1_767_225_600_000_000_000))
        #expect(ReplayTime("2026-01-01 00:00:00.25") == .wall(1_767_225_600_250_000_000))
        #expect(ReplayTime("2026-01-01T02:00:00+02:00") == .wall(1_767_225_600_000_000_000))
        #expect(ReplayTime("1.5") == .offset(1_500_000_000))
        #expect(ReplayTime("2026-13-01T00:00:00Z") == nil)
        #expect(ReplayTime("-1") == nil)
    }
}
