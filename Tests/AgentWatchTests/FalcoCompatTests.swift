import Foundation
import Glibc
import Testing

/// Falco's own rule file, unmodified, on live ptrace events: Falco's rule
/// names and rendered outputs for harmless versions of what they describe.
@Suite struct FalcoCompatTests {
    static let rulesDir = Harness.repo + "/../shared/falco-rules"
    static let falcoRules = rulesDir + "/falco_rules.yaml"
    static var available: Bool { FileManager.default.fileExists(atPath: falcoRules) }

    static func alerts(_ command: [String], extra: [String] = []) throws -> Harness.Result {
        try Harness.run(command, options: ["--policy", falcoRules] + extra + ["--alerts", "-"], trace: false)
    }

    static func parsed(_ r: Harness.Result) -> [[String: Any]] {
        r.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { $0["rule"] != nil }
    }

    @Test(.enabled(if: available)) func lintLoadsAllThreeFilesInFalcoOrder() throws {
        for files in [["falco_rules.yaml"], ["falco-incubating_rules.yaml"], ["falco-sandbox_rules.yaml"],
                      ["falco_rules.yaml", "falco-incubating_rules.yaml"],
                      ["falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"]] {
            let (st, out, _) = try Harness.exec(Harness.agentwatch, ["lint"] + files.map { Self.rulesDir + "/" + $0 })
            #expect(st == 0, "lint failed on \(files): \(out.suffix(500))")
            #expect(!out.contains(": error:"))
        }
    }

    @Test(.enabled(if: available)) func falcoRulesFireOnLiveEvents() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let shm = "/dev/shm/agentwatch-falco-\(getpid())"
        defer { unlink(shm) }
        try FileManager.default.createDirectory(atPath: dir + "/.aws", withIntermediateDirectories: true)
        try "x".write(toFile: dir + "/junk", atomically: true, encoding: .utf8)
        let script = """
            find \(dir) -name id_rsa
            find \(dir)/.aws/credentials
            ln -s /etc/shadow \(dir)/shadow-link
            ln /etc/hostname \(dir)/hard-link 2>/dev/null; ln /etc/shadow \(dir)/shadow-hard 2>/dev/null
            rm -f \(dir)/shadow-hard
            cat /etc/shadow > /dev/null
            cp /bin/true \(shm) && \(shm)
            shred -u \(dir)/junk
            \(Harness.fixture("memfd_exec"))
            \(Harness.fixture("ptrace_probe"))
            """
        let r = try Self.alerts(["/bin/sh", "-c", script])
        let fired = Dictionary(Self.parsed(r).map { ($0["rule"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        let expected = [
            "Search Private Keys or Passwords": "Grep private keys or passwords activities found",
            "Find AWS Credentials": "Detected AWS credentials search activity",
            "Create Symlink Over Sensitive Files": "Symlinks created over sensitive files",
            "Create Hardlink Over Sensitive Files": "Hardlinks created over sensitive files",
            "Read sensitive file untrusted": "Sensitive file opened for reading by non-trusted program",
            "Execution from /dev/shm": "File execution detected from /dev/shm",
            "Remove Bulk Data from Disk": "Bulk data has been removed from disk",
            "Fileless execution via memfd_create": "Fileless execution via memfd_create",
            "PTRACE attached to process": "Detected ptrace PTRACE_ATTACH attempt",
            "PTRACE anti-debug attempt": "Detected potential PTRACE_TRACEME anti-debug attempt",
        ]
        for (rule, prefix) in expected {
            let a = try #require(fired[rule], "\(rule) did not fire; fired: \(fired.keys.sorted())")
            #expect((a["output"] as? String ?? "").hasPrefix(prefix), "\(rule): \(a["output"] ?? "")")
            #expect(a["action"] as? String == "alert")
        }
        #expect(fired.count >= 8)
    }

    @Test(.enabled(if: available)) func directoryTraversalReadByANonShell() throws {
        let r = try Self.alerts(["/usr/bin/python3", "-c", "open('/etc/../../etc/hostname').read()"])
        #expect(Self.parsed(r).contains { $0["rule"] as? String == "Directory traversal monitored file read" })
    }

    @Test(.enabled(if: available)) func exitTimeRuleCanKillBeforeTheProgramRuns() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let shm = "/dev/shm/agentwatch-kill-\(getpid())"
        defer { unlink(shm) }
        let override = dir + "/override.yaml"
        try "- rule: Execution from /dev/shm\n  action: kill\n  override:\n    action: replace\n"
            .write(toFile: override, atomically: true, encoding: .utf8)
        _ = try Harness.exec("/bin/cp", ["/bin/echo", shm])
        let r = try Self.alerts([shm, "should-not-print"], extra: ["--policy", override])
        #expect(r.status == 86)
        #expect(!r.stdout.split(separator: "\n").contains("should-not-print"))
        #expect(Self.parsed(r).first?["action"] as? String == "kill")
    }

    @Test(.enabled(if: available)) func hostProcessesLookLikeFalcoHostProcesses() throws {
        let probe = Harness.tempDir() + "/probe.yaml"
        try """
            - rule: Host probe
              desc: container fields on a host
              condition: evt.type = execve and container.id = host and not container
              output: "container=%container.id name=%container.name tty=%proc.tty caps=%thread.cap_effective"
              priority: INFO
              tags: [test]
            """.write(toFile: probe, atomically: true, encoding: .utf8)
        let r = try Harness.run(["/bin/true"], options: ["--policy", Self.falcoRules, "--policy", probe, "--alerts", "-"],
                                trace: false)
        let a = try #require(Self.parsed(r).first { $0["rule"] as? String == "Host probe" })
        let out = a["output"] as? String ?? ""
        #expect(out.hasPrefix("container=host name=host tty="))
        #expect(out.contains("CAP_SYS_ADMIN") == (getuid() == 0))
    }
}
