import Foundation
import Glibc

/// A live run recorded to a trace, and `agentwatch replay` of that trace,
/// each writing its alerts as JSON Lines.
enum ReplayRig {
    struct AlertKey: Equatable, CustomStringConvertible {
        var rule: String
        var pid: Int
        var syscall: String
        var seq: Int
        var action: String
        var description: String { "\(rule) pid \(pid) seq \(seq) [\(action)] \(syscall)" }
    }

    struct Recorded {
        var dir: String
        var trace: String { dir + "/trace.jsonl" }
        var policy: String { dir + "/policy.yaml" }
        var liveAlerts: [AlertKey]
        var status: Int32
        var stderr: String
    }

    static func readAlerts(_ path: String) -> [AlertKey] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return AlertKey(rule: o["rule"] as? String ?? "", pid: (o["pid"] as? NSNumber)?.intValue ?? 0,
                            syscall: o["syscall"] as? String ?? "", seq: (o["seq"] as? NSNumber)?.intValue ?? 0,
                            action: o["action"] as? String ?? "")
        }
    }

    /// `agentwatch run --trace --alerts` with `policy` (or the built-in pack when nil); the caller removes `dir`.
    static func record(_ command: [String], policy: String?, options: [String] = [], environment: [String: String]? = nil,
                       timeout: Double = 60) throws -> Recorded {
        let dir = Harness.tempDir()
        var args = ["run", "--trace", dir + "/trace.jsonl", "--alerts", dir + "/live.jsonl"]
        if let policy {
            try policy.write(toFile: dir + "/policy.yaml", atomically: true, encoding: .utf8)
            args += ["--no-defaults", "--policy", dir + "/policy.yaml"]
        }
        args += options + ["--"] + command
        let (status, _, err) = try Harness.exec(Harness.agentwatch, args, timeout: timeout, environment: environment)
        return Recorded(dir: dir, liveAlerts: readAlerts(dir + "/live.jsonl"), status: status, stderr: err)
    }

    /// `agentwatch replay` of a file with the same policy; alerts and exit status.
    static func replay(_ file: String, policy: String?, extra: [String] = []) throws -> (alerts: [AlertKey], status: Int32, stdout: String, stderr: String) {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var args = ["replay", file, "--alerts", dir + "/replay.jsonl"]
        if let policy { args += ["--no-defaults", "--policy", policy] }
        args += extra
        let (status, out, err) = try Harness.exec(Harness.agentwatch, args)
        return (readAlerts(dir + "/replay.jsonl"), status, out, err)
    }
}
