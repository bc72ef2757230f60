import Foundation
import Glibc

// A case whose events come from a real command: the real agentwatch binary
// runs it in a child process (a tracer must not live inside the test runner),
// with the case's policies enforced, and records a trace the case then replays.

struct LiveCase {
    let agentwatch: String
    let builtinDirectory: String?

    /// Runs the command; returns the trace path (in `dir`) or why there is none.
    func record(_ argv: [String], policies: [String], defaults: Bool, timeout: Double, cwd: String, dir: String) -> Result<String, CaseFailure> {
        let trace = dir + "/trace.jsonl"
        let log = dir + "/agentwatch.log"
        var args = ["run", "--trace", trace, "--survivors", "kill"]
        if !defaults { args.append("--no-defaults") }
        for p in policies { args += ["--policy", p] }
        args += ["--"] + argv
        let p = Process()
        p.executableURL = URL(fileURLWithPath: agentwatch)
        p.arguments = args
        if !cwd.isEmpty { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        var env = ProcessInfo.processInfo.environment
        // The pack the child loads is the one this runner compiled.
        if defaults, let builtinDirectory { env["AGENTWATCH_POLICY_DIR"] = builtinDirectory }
        p.environment = env
        guard FileManager.default.createFile(atPath: log, contents: nil), let out = FileHandle(forWritingAtPath: log) else {
            return .failure(CaseFailure("cannot create \(log)"))
        }
        defer { try? out.close() }
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = out
        p.standardError = out
        do {
            try p.run()
        } catch {
            return .failure(CaseFailure("cannot start \(agentwatch): \(error.localizedDescription)"))
        }
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while p.isRunning {
            if Date() > deadline {
                // agentwatch's PTRACE_O_EXITKILL takes the traced tree with it.
                kill(p.processIdentifier, SIGKILL)
                timedOut = true
                break
            }
            usleep(5_000)
        }
        p.waitUntilExit()
        let status = p.terminationStatus
        let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        if timedOut {
            return .failure(CaseFailure("the command ran longer than \(timeout)s (timeout:); killed"))
        }
        if p.terminationReason == .exit, status == 125 || !FileManager.default.fileExists(atPath: trace) {
            let tail = said.split(separator: "\n").suffix(3).joined(separator: " | ")
            return .failure(CaseFailure("agentwatch run failed (exit \(status)): \(tail)"))
        }
        return .success(trace)
    }
}

struct CaseFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
