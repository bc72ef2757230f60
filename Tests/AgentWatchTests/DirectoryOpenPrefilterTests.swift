import Foundation
import Testing
@testable import AgentWatchCore

/// Opens of directories run without a stop only when no loaded rule could match one.
@Suite struct DirectoryOpenPrefilterTests {
    func matching(_ conditions: [String], sequence: Bool = false) -> [String] {
        let rules = conditions.enumerated().map { i, c in
            """
            - rule: r\(i)
              desc: d
              condition: \(c)
              output: o
              priority: INFO
            """
        }
        let set = PolicySet.load(yaml: rules.joined(separator: "\n"))
        #expect(set.errors.isEmpty, "\(set.errors)")
        return PolicyEngine(policies: set).rulesMatchingDirectoryOpens
    }

    @Test func conditionsThatCanMatchADirectoryOpen() {
        for c in ["evt.type = openat and fd.name startswith /home",
                  "evt.type in (open, openat) and fd.type = directory",
                  "evt.type = openat and fd.typechar in (f, d)",
                  "evt.type = open and not fd.type = file",
                  "fd.name = /etc/shadow",
                  "evt.type = openat and (fd.type != directory or fd.name = /root)",
                  "evt.type = openat and tolower(fd.type) != directory"] {
            #expect(matching([c]) == ["r0"], "\(c)")
        }
    }

    @Test func conditionsThatCannot() {
        for c in ["evt.type = openat and fd.type != directory and fd.name startswith /home",
                  "evt.type in (open, openat) and fd.typechar = f",
                  "evt.type = openat and not fd.type = directory",
                  "evt.type in (openat2, creat) and fd.name = /x",
                  "evt.type = openat and evt.arch = i386",
                  "evt.type = execve and proc.name = sh",
                  "(evt.type = openat and fd.type in (file, memfd)) or evt.type = connect"] {
            #expect(matching([c]).isEmpty, "\(c)")
        }
        #expect(matching(["evt.type = openat and fd.type != directory", "evt.type = openat"]) == ["r1"])
    }

    @Test func sequenceStepsCount() {
        func seq(_ first: String) -> [String] {
            let set = PolicySet.load(yaml: """
                - rule: s
                  desc: d
                  sequence:
                    by: proc.pid
                    steps:
                      - \(first)
                      - evt.type = connect
                  output: o
                  priority: INFO
                """)
            #expect(set.errors.isEmpty, "\(set.errors)")
            return PolicyEngine(policies: set).rulesMatchingDirectoryOpens
        }
        #expect(seq("evt.type = openat and fd.name = /etc") == ["s"])
        #expect(seq("evt.type = openat and fd.type = file and fd.name = /etc/passwd").isEmpty)
    }

    @Test func thePackAndFalcosRulesLeaveDirectoryOpensAlone() {
        let pack = PolicySet.load(paths: PolicyFiles.expand(Harness.repo + "/Policies"))
        #expect(PolicyEngine(policies: pack).rulesMatchingDirectoryOpens.isEmpty)
        if let falco = FalcoCorpus.path("falco_rules.yaml") {
            #expect(PolicyEngine(policies: PolicySet.load(paths: [falco])).rulesMatchingDirectoryOpens.isEmpty)
        }
    }

    /// The program lists a directory and reads a file: under the pack only the file
    /// open stops; a rule about directories brings the directory opens back.
    @Test func liveDirectoryOpensSkippedUnlessARuleWantsThem() throws {
        let box = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: box) }
        try FileManager.default.createDirectory(atPath: box + "/listed", withIntermediateDirectories: true)
        try "x".write(toFile: box + "/listed/file.txt", atomically: true, encoding: .utf8)
        let script = "import os, sys; d = sys.argv[1]; print(os.listdir(d)); print(open(d + '/file.txt').read())"
        let cmd = ["/usr/bin/python3", "-c", script, box + "/listed"]
        func opened(_ r: Harness.Result) -> [String] {
            r.syscalls("openat").compactMap { $0.path("filename") ?? $0.path("pathname") }.filter { $0.hasPrefix(box) }
        }
        let pack = try Harness.run(cmd, defaults: true)
        #expect(pack.stdout == "['file.txt']\nx\n")
        #expect(opened(pack) == [box + "/listed/file.txt"], "\(opened(pack))")

        let dirRule = """
            - rule: Directory listed
              desc: a directory is opened
              condition: evt.type = openat and fd.type = directory and fd.name endswith /listed
              output: "listed %fd.name"
              priority: NOTICE
              tags: [test]
            """
        let withRule = try Harness.run(cmd, defaults: true, policy: dirRule)
        #expect(opened(withRule) == [box + "/listed", box + "/listed/file.txt"], "\(opened(withRule))")
        #expect(withRule.alerts.first?["output"] as? String == "listed \(box)/listed")

        let asked = try Harness.run(cmd, options: ["--syscalls", "openat"], defaults: true)
        #expect(opened(asked) == [box + "/listed", box + "/listed/file.txt"])
    }
}
