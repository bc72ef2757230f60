import Foundation
import Testing
@testable import AgentWatchCore

/// Falco's rule files, read from ../shared/falco-rules next to the repository.
enum FalcoCorpus {
    static func path(_ name: String) -> String? {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/AgentWatchTests/file → repo
        let p = url.deletingLastPathComponent().appendingPathComponent("shared/falco-rules/\(name)").path
        return FileManager.default.fileExists(atPath: p) ? p : nil
    }
}

@Suite struct PolicyFalcoCorpusTests {
    @Test(.enabled(if: FalcoCorpus.path("falco_rules.yaml") != nil))
    func falcoRulesLoadWithoutErrors() throws {
        let path = try #require(FalcoCorpus.path("falco_rules.yaml"))
        let set = PolicySet.load(paths: [path])
        for d in set.errors { Issue.record("\(d)") }
        #expect(set.document.rules.count >= 20)
        // Most stable rules run on ptrace events; the rest are skipped with a reason.
        #expect(set.rules.count >= 15, "runnable: \(set.rules.map(\.name)) skipped: \(set.skipped)")
        for (rule, reason) in set.skipped { #expect(!reason.isEmpty, "\(rule)") }
        let engine = PolicyEngine(policies: set)
        #expect(engine.tracedSyscalls.isSuperset(of: ["execve", "openat", "ptrace"]))
    }

    @Test(.enabled(if: FalcoCorpus.path("falco-sandbox_rules.yaml") != nil))
    func allThreeFilesLoadInOrderWithoutErrors() throws {
        let paths = ["falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"].compactMap(FalcoCorpus.path)
        let set = PolicySet.load(paths: paths)
        for d in set.errors { Issue.record("\(d)") }
        #expect(set.rules.count > 40)
    }

    @Test(.enabled(if: FalcoCorpus.path("falco_rules.yaml") != nil))
    func falcoRunShellUntrustedFiresOnSyntheticEvents() throws {
        let path = try #require(FalcoCorpus.path("falco_rules.yaml"))
        let set = PolicySet.load(paths: [path])
        let e = PolicyEngine(policies: set)
        let w = PolicyWorld()
        // A shell searching for private keys: "Search Private Keys or Passwords".
        w.spawn(pid: 200, ppid: 100, exe: "/usr/bin/bash", argv: ["bash"])
        w.spawn(pid: 201, ppid: 200, exe: "/usr/bin/bash", argv: ["bash"])
        let entry = w.sys("execve", pid: 201, [Arg("pathname", .path("/usr/bin/grep", raw: "grep")),
                                                Arg("argv", .strings(["grep", "-r", "BEGIN RSA PRIVATE", "/"], truncated: false))])
        #expect(fired(e, w, entry).contains("Search Private Keys or Passwords"))
    }
}
