import Foundation
import Glibc
import Testing

/// Binary fingerprints at exec: format, build-id, SHA-256, static, markers.
@Suite struct FingerprintTests {
    static func sha256sum(_ path: String) throws -> String {
        let (_, out, _) = try Harness.exec("/usr/bin/sha256sum", [path])
        return String(out.prefix(64))
    }

    @Test func dynamicElfFingerprint() throws {
        let r = try Harness.run(["/usr/bin/dash", "-c", "true"], options: ["--syscalls", "execve"])
        let exec = try #require(r.events("exec").first)
        let b = try #require(exec["binary"] as? [String: Any])
        #expect(b["sha256"] as? String == (try Self.sha256sum("/usr/bin/dash")))
        #expect(b["format"] as? String == "elf64")
        #expect(b["machine"] as? String == "x86_64")
        #expect(b["static"] as? Bool == false)
        #expect((b["build_id"] as? String ?? "").count == 40)
        #expect((b["interpreter"] as? String ?? "").hasPrefix("/lib64/ld-linux"))
        #expect((b["markers"] as? [String]) == [])
    }

    static let markerRule = """
        - rule: Miner by its contents
          desc: an executable or script carrying miner markers, whatever its name
          condition: evt.type in (execve, execveat) and proc.exe.markers in (randomx, cryptonight, xmrig, stratum+tcp)
          output: "markers %proc.exe.markers in %proc.exe"
          priority: CRITICAL
          tags: [test]
          action: kill
        """

    @Test func renamedStaticMinerIsKilledBeforeItRuns() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let renamed = dir + "/build-helper"
        try FileManager.default.copyItem(atPath: Harness.fixture("fakeminer_static"), toPath: renamed)
        let r = try Harness.run([renamed], policy: Self.markerRule)
        #expect(r.status == 86)
        #expect(!r.stdout.contains("worker ready"))
        let b = try #require(r.events("exec").first?["binary"] as? [String: Any])
        #expect(b["static"] as? Bool == true)
        #expect(Set(b["markers"] as? [String] ?? []).isSuperset(of: ["randomx", "cryptonight"]))
        #expect(b["sha256"] as? String == (try Self.sha256sum(renamed)))
        #expect((r.alerts.first?["output"] as? String ?? "").contains("randomx"))
    }

    @Test func scriptMarkersCountToo() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = dir + "/setup.sh"
        try "#!/bin/sh\necho connecting to stratum+tcp://127.0.0.1:3333\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let r = try Harness.run([script], policy: Self.markerRule)
        #expect(r.status == 86)
        #expect(!r.stdout.contains("connecting"))
        let exec = try #require(r.events("exec").first)
        let s = try #require(exec["script"] as? [String: Any])
        #expect(s["format"] as? String == "script")
        #expect(s["interpreter"] as? String == "/bin/sh")
        #expect(s["markers"] as? [String] == ["stratum+tcp"])
    }

    @Test func honestProgramsCarryNoMarkers() throws {
        let r = try Harness.run(["/bin/sh", "-c", "ls / >/dev/null; cat /etc/hostname >/dev/null; /usr/bin/python3 -c 1"],
                                options: ["--syscalls", "execve"], policy: Self.markerRule)
        #expect(r.status == 0)
        #expect(r.alerts.isEmpty)
    }

    @Test func memfdImageIsFingerprinted() throws {
        let r = try Harness.run([Harness.fixture("memfd_exec")], options: ["--syscalls", "execveat"])
        let exec = try #require(r.events("exec").last)
        let b = try #require(exec["binary"] as? [String: Any])
        #expect(b["sha256"] as? String == (try Self.sha256sum("/bin/echo")))
    }

    @Test func denyOnAFingerprintIsALintError() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/p.yaml"
        try Self.markerRule.replacingOccurrences(of: "action: kill", with: "action: deny").write(toFile: file, atomically: true, encoding: .utf8)
        let (st, out, _) = try Harness.exec(Harness.agentwatch, ["lint", file])
        #expect(st == 1)
        #expect(out.contains("p.yaml:7:11: error:"))
        #expect(out.contains("use action: kill"))
    }
}
