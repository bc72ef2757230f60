import Foundation
import Testing

/// Writes to stdin, stdout and stderr run without a stop under the pack while
/// none of those is a socket (StdioGuard). Every way of putting a socket there
/// makes them stop again before the socket arrives: the stratum request a miner
/// writes to descriptor 1 is caught and never reaches the pool.
@Suite struct StdioGuardTests {
    static let fixture = Pack.rogue + "stdio_stratum.py"

    /// Runs `command(port)` under the pack with a pool listening on that port: the
    /// stratum request is killed before a byte reaches the pool.
    func expectStratumStopped(fixture: String, behaviour: String, marker: String = "went through",
                              sourceLocation: SourceLocation = #_sourceLocation, _ command: (UInt16) -> [String]) throws {
        let box = Sandbox()
        let pool = try LoopbackServer()
        defer { pool.stop() }
        let r = try Pack.run(command(pool.port), sandbox: box)
        #expect(!r.stderr.contains(marker), "\(r.summary)", sourceLocation: sourceLocation)
        expectCaught(r, rule: "Stratum protocol sent on a socket", action: "kill", fixture: fixture, behaviour: behaviour,
                     bytes: pool.settledBytes(), sourceLocation: sourceLocation)
    }

    @Test(arguments: ["dup2", "close", "closedup", "closefork", "closerange", "thread", "cloexec", "fioclex", "dup3cloexec", "clonefiles", "socketpair"])
    func stratumThroughStdout(mode: String) throws {
        // Through a socketpair the bytes stay in the tree until the parent relays them.
        try expectStratumStopped(fixture: "rogue/stdio_stratum.py \(mode)",
                                 behaviour: mode == "socketpair" ? "stratum written to a socketpair stdout, relayed to the pool by the parent"
                                     : "stratum written to stdout after \(mode) put a socket there",
                                 marker: mode == "socketpair" ? "relayed" : "went through") {
            ["/usr/bin/python3", Self.fixture, "\($0)", mode]
        }
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
        // Writes named with --syscalls are wanted, every one.
        let asked = try Pack.run(["/usr/bin/python3", "-c", script], sandbox: box, options: ["--syscalls", "write"], trace: true)
        #expect(writes(asked, fd: 1) == 200)
        #expect(guarded.status == 0 && stopped.status == 0, "\(guarded.summary)\n\(stopped.summary)")
        #expect(guarded.stdout.split(separator: "\n").count == 200)
        #expect(writes(guarded, fd: 1) == 0)
        #expect(writes(stopped, fd: 1) == 200)
        #expect(writes(guarded, fd: 3) == 1)
        #expect(guarded.serious.isEmpty, "\(guarded.summary)")
    }

    /// A slot emptied and filled again with a file (as shells do around a
    /// redirection, and as a program does when it reopens its stdout) leaves
    /// the writes unstopped: the task is stepped until the slot is filled.
    @Test func closeThenReopenKeepsWritesUnstopped() throws {
        let box = Sandbox()
        let script = "import os\nos.close(1)\nfd = os.open('\(box.work)/out', os.O_WRONLY | os.O_CREAT)\n"
            + "assert fd == 1\nfor i in range(100): os.write(1, b'line %d\\n' % i)\n"
        let r = try Pack.run(["/usr/bin/python3", "-c", script], sandbox: box, trace: true,
                             environment: ["AGENTWATCH_STATS": "1"])
        #expect(r.status == 0, "\(r.summary)")
        let lines = (try? String(contentsOfFile: box.work + "/out", encoding: .utf8))?.split(separator: "\n").count
        #expect(lines == 100)
        #expect(r.events.filter { $0["sc"] as? String == "write" }.isEmpty)
        #expect(r.stderr.contains("stdio:stepping after close") && r.stderr.contains("stdio:slots filled again"), "\(r.stderr)")
        #expect(!r.stderr.contains("stdio:filter for"), "\(r.stderr)")
    }

    /// A thread rewrites the filter program in the process's memory while the
    /// tracer installs it: every other task is held meanwhile, so the program
    /// installed is the tracer's.
    @Test func filterProgramRaced() throws {
        try expectStratumStopped(fixture: "src/rogue_filter_race.c",
                                 behaviour: "thread overwrites the injected seccomp program during dup2(socket, 1)") {
            [Harness.fixture("rogue_filter_race"), "\($0)"]
        }
    }

    /// A thread flips CLONE_FILES in and out of clone3's arguments (in memory)
    /// until a child shares the table without the tracer having read the flag:
    /// either the tracer reads it (the filter goes on) or the new process is
    /// found sharing the table at the clone event (both are killed).
    @Test func clone3FlagsRaced() throws {
        let box = Sandbox()
        let pool = try LoopbackServer()
        defer { pool.stop() }
        let r = try Pack.run([Harness.fixture("rogue_clone3_files"), "\(pool.port)"], sandbox: box)
        #expect(!r.stderr.contains("went through"), "\(r.summary)")
        #expect(!r.stderr.contains("no shared table"), "the race was not run\n\(r.summary)")
        #expect(r.status == 86, "\(r.summary)")
        #expect(r.stderr.contains("both killed") || !r.fired("Stratum protocol sent on a socket").isEmpty, "\(r.summary)")
        #expect(pool.settledBytes() == 0)
    }

    /// A supervisor puts its socket on descriptor 1 of a process through that
    /// process's seccomp listener (SECCOMP_IOCTL_NOTIF_ADDFD), with no dup2:
    /// a filter with a listener gets the stdio filter first.
    @Test func socketAddedThroughASeccompListener() throws {
        try expectStratumStopped(fixture: "src/rogue_seccomp_addfd.c",
                                 behaviour: "supervisor adds a socket as descriptor 1 of its child (seccomp NOTIF_ADDFD)") {
            [Harness.fixture("rogue_seccomp_addfd"), "\($0)"]
        }
    }

    /// dup2 of a socket onto 1 through int 0x80: the filter cannot be installed
    /// through that ABI, so the call is refused.
    @Test func int80Dup2OfASocketIsRefused() throws {
        let box = Sandbox()
        let pool = try LoopbackServer()
        defer { pool.stop() }
        let r = try Pack.run([Harness.fixture("rogue_int80_dup2"), "\(pool.port)"], sandbox: box)
        #expect(r.stderr.contains("dup2 -> -1"), "EPERM\n\(r.summary)")
        #expect(r.stderr.contains("cannot be made to stop through this ABI; denied"), "\(r.summary)")
        #expect(!r.stderr.contains("went through"), "\(r.summary)")
        #expect(pool.settledBytes() == 0)
    }

    /// A unix socket to a listener outside the tree on stdout (a local proxy):
    /// its bytes are read, and writes to it stop.
    @Test func stratumThroughAUnixProxy() throws {
        let box = Sandbox()
        let proxy = try LoopbackServer(unixPath: box.root + "/proxy.sock")
        defer { proxy.stop() }
        let r = try Pack.run(["/usr/bin/python3", Self.fixture, "0", "unixproxy", box.root + "/proxy.sock"], sandbox: box)
        #expect(!r.stderr.contains("went through"), "\(r.summary)")
        expectCaught(r, rule: "Stratum protocol sent on a socket", action: "kill", fixture: "rogue/stdio_stratum.py unixproxy",
                     behaviour: "stratum written to stdout, a unix socket to a proxy outside the tree", bytes: proxy.settledBytes())
    }

    /// agentwatch started with `stdout` for its stdout, by a launcher outside the
    /// tree (as a Node harness starts its commands); the launcher reports the
    /// command's exit status and the bytes that reached its end.
    func launched(_ stdout: String, _ command: [String], box: Sandbox, trace: String? = nil) throws
        -> (status: Int32, out: String, err: String, alerts: [String]) {
        let alerts = box.root + "/alerts-\(UUID().uuidString).jsonl"
        let launcher = """
            import socket, subprocess, sys
            if sys.argv[1] == "tcp":
                server = socket.create_server(("127.0.0.1", 0))
                theirs = socket.create_connection(server.getsockname())
                mine, _ = server.accept()
            else:
                mine, theirs = socket.socketpair()
            p = subprocess.Popen(sys.argv[2:], stdout=theirs)
            theirs.close()
            got = b''
            while True:
                b = mine.recv(65536)
                if not b: break
                got += b
            print(p.wait(), len(got))
            """
        var env = ProcessInfo.processInfo.environment
        env["AGENTWATCH_POLICY_DIR"] = Pack.policies
        env["HOME"] = box.home
        var args = ["-c", launcher, stdout, Harness.agentwatch, "run", "--alerts", alerts]
        if let trace { args += ["--trace", trace] }
        let (status, out, err) = try Harness.exec("/usr/bin/python3", args + ["--"] + command, timeout: 60, environment: env)
        return (status, out, err, Pack.jsonLines(alerts).compactMap { $0["rule"] as? String })
    }

    /// A TCP socket for agentwatch's own stdout: every write stops from the first.
    @Test func ownStdoutATCPSocket() throws {
        let box = Sandbox()
        let r = try launched("tcp", ["/usr/bin/python3", Self.fixture, "0", "plain"], box: box)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == "86 0\n", "killed before a byte reached the socket: \(r.out) \(r.err)")
        #expect(r.alerts.contains("Stratum protocol sent on a socket"), "\(r.alerts) \(r.err)")
        #expect(!r.err.contains("went through"))
    }

    /// A unix socketpair for agentwatch's own stdout (what a Node harness gives):
    /// the harness reads it, so writes there run unstopped, and the child's own
    /// socketpair stdout (Node's children) as well.
    @Test func ownStdoutAUnixSocketpair() throws {
        let box = Sandbox()
        let trace = box.root + "/trace.jsonl"
        let script = """
            import os, socket, subprocess, sys
            for i in range(100): os.write(1, b'line %d\\n' % i)
            mine, theirs = socket.socketpair()
            child = subprocess.Popen([sys.executable, '-c', "import os\\nfor i in range(100): os.write(1, b'child %d\\\\n' % i)"], stdout=theirs)
            theirs.close()
            got = b''
            while True:
                b = mine.recv(65536)
                if not b: break
                got += b
            child.wait()
            os.write(1, b'child wrote %d lines\\n' % got.count(b'\\n'))
            """
        let r = try launched("unix", ["/usr/bin/python3", "-c", script], box: box, trace: trace)
        // 100 lines of its own (790 bytes) and "child wrote 100 lines\n".
        #expect(r.status == 0 && r.out == "0 812\n", "\(r.out) \(r.err)")
        let events = Pack.jsonLines(trace)
        #expect(events.filter { $0["ev"] as? String == "exec" }.count == 2, "the trace has both programs")
        let writes = events.filter { $0["sc"] as? String == "write" }
        #expect(writes.isEmpty, "\(writes.prefix(3))")
        #expect(r.alerts.isEmpty, "\(r.alerts)")
    }
}
