import Foundation
import Testing

/// Writes to stdin, stdout and stderr run without a stop under the pack while
/// none of those is a socket (StdioGuard). Every way of putting a socket there
/// makes them stop again before the socket arrives: the stratum request a miner
/// writes to descriptor 1 is caught and never reaches the pool.
@Suite struct StdioGuardTests {
    static let fixture = Pack.rogue + "stdio_stratum.py"

    @Test(arguments: ["dup2", "close", "closerange", "thread", "cloexec", "fioclex", "dup3cloexec", "clonefiles", "socketpair"])
    func stratumThroughStdout(mode: String) throws {
        let box = Sandbox()
        let pool = try LoopbackServer()
        defer { pool.stop() }
        let r = try Pack.run(["/usr/bin/python3", Self.fixture, "\(pool.port)", mode], sandbox: box)
        #expect(!r.stderr.contains("went through"), "\(r.summary)")
        expectCaught(r, rule: "Stratum protocol sent on a socket", action: "kill", fixture: "rogue/stdio_stratum.py \(mode)",
                     behaviour: "stratum written to stdout after \(mode) put a socket there", bytes: pool.settledBytes())
    }

    /// Honest writes to a pipe on stdout do not stop; a write to a file
    /// descriptor beyond 2 still does (the rule needs to know it is no socket).
    @Test func writesToAPipeOnStdoutDoNotStop() throws {
        let box = Sandbox()
        let script = "import os\nfor i in range(200): os.write(1, b'line %d\\n' % i)\n"
            + "fd = os.open('\(box.work)/f', os.O_WRONLY | os.O_CREAT)\nos.write(fd, b'x')\n"
        let guarded = try Pack.run(["/usr/bin/python3", "-c", script], sandbox: box, trace: true)
        let stopped = try Pack.run(["/usr/bin/python3", "-c", script], sandbox: box, trace: true,
                                   environment: ["AGENTWATCH_STDIO_GUARD": "0"])
        func writes(_ r: Pack.Run, fd: Int) -> Int {
            r.events.filter { e in
                e["sc"] as? String == "write" && ((e["args"] as? [String: Any])?["fd"] as? [String: Any])?["fd"] as? Int == fd
            }.count
        }
        #expect(guarded.status == 0 && stopped.status == 0, "\(guarded.summary)\n\(stopped.summary)")
        #expect(guarded.stdout.split(separator: "\n").count == 200)
        #expect(writes(guarded, fd: 1) == 0)
        #expect(writes(stopped, fd: 1) == 200)
        #expect(writes(guarded, fd: 3) == 1)
        #expect(guarded.serious.isEmpty, "\(guarded.summary)")
    }

    /// Started with a socket for stdout (as a Node harness starts its children),
    /// the writes stop from the first one.
    @Test func ownStdoutASocket() throws {
        let box = Sandbox()
        let pool = try LoopbackServer()
        defer { pool.stop() }
        let alerts = box.root + "/alerts.jsonl"
        let launcher = """
            import socket, subprocess, sys
            mine, theirs = socket.socketpair()
            p = subprocess.run(sys.argv[1:], stdout=theirs)
            theirs.close()
            mine.settimeout(5)
            got = b''
            try:
                while True:
                    b = mine.recv(4096)
                    if not b: break
                    got += b
            except OSError:
                pass
            print(p.returncode, len(got))
            """
        var env = ProcessInfo.processInfo.environment
        env["AGENTWATCH_POLICY_DIR"] = Pack.policies
        env["HOME"] = box.home
        let (status, out, err) = try Harness.exec("/usr/bin/python3", ["-c", launcher, Harness.agentwatch, "run",
                                                  "--alerts", alerts, "--", "/usr/bin/python3", Self.fixture,
                                                  "\(pool.port)", "plain"], timeout: 60, environment: env)
        #expect(status == 0, "\(err)")
        #expect(out == "86 0\n", "killed before a byte reached the socket: \(out) \(err)")
        let fired = Pack.jsonLines(alerts).compactMap { $0["rule"] as? String }
        #expect(fired.contains("Stratum protocol sent on a socket"), "\(fired) \(err)")
        #expect(!err.contains("went through"))
    }
}
