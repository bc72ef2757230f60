import Foundation
import Glibc
import Testing

/// Every rogue fixture the pack's own suite runs (those needing no more than a
/// catcher port), recorded under the built-in pack and replayed with it: the
/// replay raises exactly the live run's alerts.
@Suite struct ReplayPackParityTests {
    static let fixtures = [
        "miner_renamed.sh", "miner_stratum_argv.sh", "rogue_stratum", "fake_miner.py", "pool_address.sh",
        "rogue_revshell", "revshell_subprocess.py", "revshell_bash_script.sh", "revshell_devtcp.sh",
        "fifo_relay.sh", "fifo_oneliner.sh", "listen_all.py", "key_hunt.sh", "link_secret.sh", "rogue_io_uring",
        "memfd_exec", "exec_shm.sh", "download_exec.sh", "curl_pipe_sh.sh", "rogue_seccomp", "setuid.sh", "int80",
        "clone_untraced", "nohup_survivor.sh", "sudo",
    ]

    static func command(_ name: String, box: Sandbox, port: UInt16) -> [String] {
        let r = Pack.rogue, p = "\(port)"
        switch name {
        case "miner_renamed.sh", "fifo_relay.sh", "fifo_oneliner.sh": return ["/bin/sh", r + name, box.work, p]
        case "miner_stratum_argv.sh", "revshell_devtcp.sh": return ["/bin/sh", r + name, p]
        case "revshell_bash_script.sh": return ["/bin/bash", r + name, p]
        case "rogue_stratum": return [Harness.fixture(name), p, "write"]
        case "rogue_revshell", "int80": return [Harness.fixture(name), p]
        case "rogue_io_uring", "memfd_exec", "rogue_seccomp", "clone_untraced": return [Harness.fixture(name)]
        case "fake_miner.py": return ["/usr/bin/python3", r + name, "--port", p]
        case "revshell_subprocess.py": return ["/usr/bin/python3", r + name, p]
        case "listen_all.py": return ["/usr/bin/python3", r + name]
        case "link_secret.sh", "download_exec.sh", "setuid.sh": return ["/bin/sh", r + name, box.work]
        case "sudo": return ["/bin/sh", r + "standin.sh", box.work, "sudo", "-n", "id"]
        default: return ["/bin/sh", r + name]
        }
    }

    @Test(arguments: fixtures)
    func replayMatchesTheLiveRun(fixture: String) throws {
        let box = Sandbox()
        let catcher = try LoopbackServer(greeting: "echo caught; exit\n")
        defer { catcher.stop() }
        let trace = box.root + "/trace.jsonl"
        let live = try Pack.run(Self.command(fixture, box: box, port: catcher.port), sandbox: box, options: ["--trace", trace])
        let liveKeys = live.alerts.map(Self.key)
        #expect(!liveKeys.isEmpty, "the pack caught nothing live: \(live.summary)")

        var env = ProcessInfo.processInfo.environment
        env["AGENTWATCH_POLICY_DIR"] = Pack.policies
        let replayAlerts = box.root + "/replay.jsonl"
        let (status, _, err) = try Harness.exec(Harness.agentwatch, ["replay", trace, "--alerts", replayAlerts], environment: env)
        let replayed = Pack.jsonLines(replayAlerts).map(Self.key)
        #expect(replayed == liveKeys, "live:\n\(liveKeys.joined(separator: "\n"))\nreplay:\n\(replayed.joined(separator: "\n"))\n\(err)")
        let serious = live.serious.isEmpty ? Int32(0) : 1
        #expect(status == serious)
    }

    static func key(_ a: [String: Any]) -> String {
        let n = { (k: String) in (a[k] as? NSNumber)?.intValue ?? -1 }
        return "\(a["rule"] as? String ?? "?") pid \(n("pid")) seq \(n("seq")) [\(a["action"] as? String ?? "?")] \(a["syscall"] as? String ?? "")"
    }
}
