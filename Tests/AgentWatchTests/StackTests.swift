import Foundation
import Testing

/// Alerts carry the offending thread's stack, symbolized like strace -k.
@Suite struct StackTests {
    static let rule = """
        - rule: Report file
          desc: alert on the probe's file
          condition: evt.type in (open, openat) and fd.name endswith "/report.txt"
          priority: NOTICE
          tags: [test]
        """

    func frames(_ alert: [String: Any]?) -> [[String: Any]] { alert?["stack"] as? [[String: Any]] ?? [] }

    @Test func alertStackNamesTheCallingFunctions() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Harness.run([Harness.fixture("stack_probe"), dir + "/report.txt"], policy: Self.rule)
        #expect(r.status == 0)
        let stack = frames(r.alerts.first)
        let symbols = stack.compactMap { $0["symbol"] as? String }
        let inner = try #require(symbols.firstIndex(of: "open_the_file"))
        let outer = try #require(symbols.firstIndex(of: "write_report"))
        #expect(inner < outer)
        #expect(symbols.contains("main"))
        let own = stack[inner]
        #expect(own["module"] as? String == Harness.fixture("stack_probe"))
        #expect(own["nearest_export"] == nil)
        #expect((own["pc"] as? String ?? "").hasPrefix("0x"))
        // The innermost frame is libc's open wrapper, a stripped library.
        let libc = try #require(stack.first)
        #expect((libc["module"] as? String ?? "").contains("libc.so"))
        #expect(libc["nearest_export"] as? Bool == true)
        #expect(r.stderr.contains("open_the_file+0x"))
    }

    @Test func stackForEveryEventWithTheFlag() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Harness.run([Harness.fixture("stack_probe"), dir + "/x"], options: ["--stack", "--syscalls", "openat"])
        let open = try #require(r.syscalls("openat").first { ($0.path("filename") ?? "").hasSuffix("/x") })
        let symbols = (open["stack"] as? [[String: Any]] ?? []).compactMap { $0["symbol"] as? String }
        #expect(symbols.contains("write_report"))
    }
}
