import Foundation
import Glibc
import Testing

/// Exit codes, signals and the life of the traced tree.
@Suite struct TracerExitTests {
    @Test func exitCodesPassThrough() throws {
        #expect(try Harness.run(["/bin/sh", "-c", "exit 0"], trace: false).status == 0)
        #expect(try Harness.run(["/bin/sh", "-c", "exit 3"], trace: false).status == 3)
    }

    @Test func deathBySignalIs128PlusN() throws {
        #expect(try Harness.run(["/bin/sh", "-c", "kill -TERM $$"], trace: false).status == 143)
        #expect(try Harness.run(["/bin/sh", "-c", "kill -KILL $$"], trace: false).status == 137)
    }

    @Test func missingCommandIs127() throws {
        let r = try Harness.run(["no-such-command-agentwatch"], trace: false)
        #expect(r.status == 127)
        #expect(r.stderr.contains("no-such-command-agentwatch: command not found"))
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func helpBeforeTheCommandIsHelp() throws {
        for flag in ["--help", "-h"] {
            let (status, out, _) = try Harness.exec(Harness.agentwatch, ["run", flag])
            #expect(status == 0)
            #expect(out.contains("Everything after `--` is the command"))
        }
        // After `--` it is the command's name, like any other.
        let r = try Harness.run(["--help"], trace: false)
        #expect(r.status == 127)
        #expect(r.stderr.contains("--help: command not found"))
    }

    @Test func nonExecutableIs126() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/script.sh"
        try "#!/bin/sh\necho hi\n".write(toFile: file, atomically: true, encoding: .utf8)
        let r = try Harness.run([file], trace: false)
        #expect(r.status == 126)
        #expect(r.stderr.contains("permission denied"))
    }

    @Test func stdoutAndStdinPassThrough() throws {
        let r = try Harness.run(["/bin/sh", "-c", "echo out; echo err >&2; read x || echo eof"], trace: false)
        #expect(r.stdout == "out\neof\n")
        #expect(r.stderr == "err\n")
    }

    @Test func stoppedAndContinuedChild() throws {
        let r = try Harness.run([Harness.fixture("stopcont")], trace: false)
        #expect(r.stdout.contains("child stopped"))
        #expect(r.stdout.contains("child exited 7"))
        #expect(r.status == 7)
    }

    /// Waits until a descendant of `root` named `comm` sleeps (it reached its wait).
    static func waitForDescendant(of root: pid_t, comm: String, timeout: Double = 20) -> pid_t? {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = Int32(entry),
                      let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { continue }
                guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { continue }
                let name = String(stat[stat.index(after: open)..<close])
                let rest = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
                guard name == comm, rest.count > 2, rest[0] == "S" else { continue }
                var p = Int32(rest[1]) ?? 0
                while p > 1 {
                    if p == root { return pid }
                    guard let s = try? String(contentsOfFile: "/proc/\(p)/stat", encoding: .utf8),
                          let c = s.lastIndex(of: ")") else { break }
                    p = Int32(s[s.index(c, offsetBy: 2)...].split(separator: " ")[1]) ?? 0
                }
            }
            usleep(20_000)
        }
        return nil
    }

    @Test(arguments: [(SIGINT, Int32(42)), (SIGTERM, Int32(55))])
    func signalsToAgentwatchReachTheCommand(sig: Int32, expected: Int32) throws {
        let r = try Harness.run([Harness.fixture("wait_signal")], trace: false) { p in
            _ = Self.waitForDescendant(of: p.processIdentifier, comm: "wait_signal")
            usleep(200_000)
            kill(p.processIdentifier, sig)
        }
        #expect(r.stdout.contains("got \(sig)"))
        #expect(r.status == expected)
    }

    @Test func killingAgentwatchKillsTheTree() throws {
        var child: pid_t?
        let r = try Harness.run(["/bin/sh", "-c", "sleep 60; echo survived"]) { p in
            child = Self.waitForDescendant(of: p.processIdentifier, comm: "sleep")
            kill(p.processIdentifier, SIGKILL)
        }
        #expect(r.status == 128 + SIGKILL)
        let sleeper = try #require(child)
        var gone = false
        gone = Self.goneOrZombie(sleeper)
        #expect(gone, "the traced sleep outlived a SIGKILLed agentwatch")
        // Everything recorded before the kill is whole lines.
        #expect(r.events.contains { $0["ev"] as? String == "spawn" })
    }

    static func goneOrZombie(_ pid: pid_t) -> Bool {
        for _ in 0..<100 {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return true }
            if stat[stat.index(close, offsetBy: 2)] == "Z" { return true }
            usleep(20_000)
        }
        return false
    }

    @Test func processesThatOutliveTheCommandAreReportedAndKilled() throws {
        let start = Date()
        let r = try Harness.run([Harness.fixture("daemonize"), "30"])
        #expect(Date().timeIntervalSince(start) < 25)
        #expect(r.status == 0)
        #expect(r.stderr.contains("outlived the command; killed"))
        let spawned = r.events("spawn").compactMap { $0.int("pid") }.map { Int32($0) }
        #expect(spawned.count == 3)
        for pid in spawned { #expect(Self.goneOrZombie(pid)) }
        #expect(r.syscalls("setsid").count == 1)
    }
}
