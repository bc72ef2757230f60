import Foundation
import Testing

/// Honest agent work under the built-in pack: no alert at WARNING or above,
/// and the same output and exit code as without agentwatch.
@Suite struct PackBenignTests {
    /// Runs the script natively, then under agentwatch, each in a fresh sandbox.
    func compare(_ script: String, _ extra: [String] = [], label: String? = nil, timeout: Double = 120) throws -> Pack.Run {
        let native = Sandbox()
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = native.home
        env["LC_ALL"] = "C"
        let (nStatus, nOut, nErr) = try Harness.exec("/bin/sh", [Pack.benign + script, native.work] + extra,
                                                     timeout: timeout, environment: env)
        #expect(nStatus == 0, "the fixture fails even without agentwatch: \(nErr)")
        let traced = Sandbox()
        let r = try Pack.run(["/bin/sh", Pack.benign + script, traced.work] + extra, sandbox: traced, timeout: timeout)
        Detections.record(fixture: "benign/" + (label ?? script + (extra.isEmpty ? "" : " " + extra.joined(separator: " "))),
                          behaviour: "honest work", run: r, rule: nil, bytes: nil)
        #expect(r.serious.isEmpty, "alerts on honest work:\n\(r.summary)")
        #expect(r.status == nStatus, "\(r.summary)")
        #expect(r.stdout == nOut, "\(r.summary)")
        return r
    }

    @Test func buildCProject() throws {
        let r = try compare("build_c.sh")
        #expect(r.stdout.contains("sum=31\nmax=9\ncheck passed"))
    }

    @Test func pythonUnittest() throws {
        let r = try compare("py_unittest.sh")
        #expect(r.stdout.contains("Ran 6 tests"))
        #expect(r.stdout.contains("OK"))
    }

    @Test func gitRepository() throws {
        let r = try compare("git_work.sh")
        #expect(r.stdout == "second\nfirst\n0\n")
    }

    @Test func pipInstallIntoVenv() throws {
        let r = try compare("pip_venv.sh", timeout: 180)
        #expect(r.stdout == "hello from the wheel\nhello_agent\n")
    }

    @Test func httpFetchOnLoopback() throws {
        let r = try compare("http_fetch.sh")
        #expect(r.stdout == String(repeating: "hello over http\n", count: 3))
    }

    @Test func editFiles() throws {
        let r = try compare("edit_files.sh")
        #expect(r.stdout.hasPrefix("generated script ran\nline one\nline 2\n"))
    }

    /// A port probe through /dev/tcp is recorded below WARNING, and nothing more.
    @Test func portProbe() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let r = try compare("port_probe.sh", ["\(server.port)"], label: "port_probe.sh PORT")
        #expect(r.stdout == "port  open\n")
        #expect(r.rules.contains("Shell opens /dev/tcp connection"), "\(r.summary)")
    }

    @Test func hundredsOfProcesses() throws {
        let r = try compare("many_procs.sh", ["300"], timeout: 180)
        #expect(r.stdout == "300/300 passed\n")
    }
}
