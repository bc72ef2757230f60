import Foundation
import Testing

/// The opt-in egress allowlist (Policies/optional/egress-allowlist.yaml). The
/// probes run in a network namespace of their own whose loopback carries every
/// destination address (test hosts of that namespace): allowed destinations get
/// ECONNREFUSED from nobody listening, or are sent; refused ones fail with EACCES
/// before the connect runs.
@Suite struct PackEgressTests {
    static let allowlist = Harness.repo + "/Policies/optional/egress-allowlist.yaml"

    @Test(.enabled(if: Pack.canNetnsHosts, "needs unshare -rn and ip (user and network namespaces) so no probe can leave"))
    func onlyListedDestinationsPass() throws {
        let box = Sandbox()
        box.write("allow.yaml", """
            - list: egress_allowed_networks
              items: ["198.51.100.0/24"]
              override: {items: append}
            - list: egress_dns_servers
              items: [198.51.100.53]
              override: {items: append}
            """)
        let r = try Pack.run(["env", "TEST_HOSTS=203.0.113.9 198.51.100.4 198.51.100.53", "unshare", "-rn",
                              Pack.rogue + "netns_hosts.sh", "/usr/bin/python3", Pack.rogue + "egress_probe.py",
                              "203.0.113.9:443", "198.51.100.4:443", "198.51.100.4:80", "127.0.0.1:9",
                              "203.0.113.9:53/udp", "198.51.100.53:53/udp"],
                             sandbox: box, options: ["--policy", Self.allowlist, "--policy", box.root + "/allow.yaml"])
        #expect(r.stdout == """
            203.0.113.9:443 errno 13
            198.51.100.4:443 errno 111
            198.51.100.4:80 errno 13
            127.0.0.1:9 errno 111
            203.0.113.9:53/udp errno 13
            198.51.100.53:53/udp sent

            """, "\(r.summary)")
        #expect(r.fired("Egress outside the allowlist").count == 3)
        Detections.record(fixture: "rogue/egress_probe.py", behaviour: "connect 203.0.113.9:443 with the egress allowlist (opt-in)",
                          run: r, rule: "Egress outside the allowlist", bytes: 0)
    }

}

/// The pack as files: it lints clean, the opt-in policy stays out of it, and
/// every rule carries what the issue asks for.
@Suite struct PackLintTests {
    @Test func lintsCleanWithoutOptionalPolicies() throws {
        let (status, out, err) = try Harness.exec(Harness.agentwatch, ["lint", "--timing", Pack.policies], timeout: 30)
        #expect(status == 0, "\(out)\(err)")
        #expect(out.hasSuffix("0 cannot; 0 error(s), 0 warning(s)\n"), "\(out)")
        #expect(!out.contains("Egress outside the allowlist"))
        // Deny and kill rules act before the syscall runs; kill may also act at the exec
        // stop, which is before the new program's first instruction.
        for line in out.split(separator: "\n") where line.contains("action deny") || line.contains("action kill") {
            let execStop = line.contains("action kill") && line.hasSuffix("on execve,execveat")
            #expect(line.contains("evaluated at entry") || execStop, "\(line)")
        }
    }

    /// Every rule: desc, priority, tags with a MITRE ATT&CK technique id, an explicit action.
    @Test func everyRuleIsComplete() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Pack.policies).filter { $0.hasSuffix(".yaml") }
            .map { Pack.policies + "/" + $0 } + [Pack.policies + "/optional/egress-allowlist.yaml"]
        var rules = 0
        for file in files {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let blocks = text.components(separatedBy: "\n- ").filter { $0.hasPrefix("rule: ") }
            for block in blocks {
                rules += 1
                let name = block.split(separator: "\n").first.map(String.init) ?? block
                for key in ["desc:", "priority:", "tags:", "action:"] {
                    #expect(block.contains("\n  " + key), "\(file): \(name) has no \(key)")
                }
                let tags = block.split(separator: "\n").first { $0.hasPrefix("  tags:") }.map(String.init) ?? ""
                #expect(tags.range(of: "T[0-9]{4}", options: .regularExpression) != nil, "\(file): \(name) has no MITRE id")
                #expect(tags.contains("mitre_"), "\(file): \(name) has no MITRE tactic tag")
            }
        }
        #expect(rules >= 50)
    }
}
