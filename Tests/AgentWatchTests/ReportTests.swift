import Foundation
import Testing

/// `agentwatch report`: a self-contained HTML file (and Markdown) from a trace.
@Suite struct ReportTests {
    static let sequence = EnforcementTests.reverseShellSequence

    /// A rogue run (reverse shell to a loopback listener, killed) recorded as a trace.
    static func rogueTrace(in dir: String) throws -> String {
        let l = try Listener()
        defer { l.stop() }
        let trace = dir + "/rogue.jsonl"
        let policy = dir + "/seq.yaml"
        try sequence.write(toFile: policy, atomically: true, encoding: .utf8)
        let (st, _, _) = try Harness.exec(Harness.agentwatch, [
            "run", "--no-defaults", "--policy", policy, "--trace", trace, "--",
            "/bin/sh", "-c", "ls / >/dev/null; \(Harness.fixture("revshell")) \(l.port) shell",
        ])
        #expect(st == 86)
        return trace
    }

    @Test func htmlIsSelfContainedAndShowsTreeTimelineAndAlert() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trace = try Self.rogueTrace(in: dir)
        let (st, _, err) = try Harness.exec(Harness.agentwatch, ["report", trace, "-o", dir + "/r.html"])
        #expect(st == 0)
        #expect(err.isEmpty)
        let html = try String(contentsOfFile: dir + "/r.html", encoding: .utf8)
        #expect(html.contains("<h2>Process tree</h2>"))
        #expect(html.contains("Reverse shell"))
        #expect(html.contains(Harness.fixture("revshell")))
        #expect(html.contains("<td>connect</td>"))
        #expect(html.contains("killed by SIGKILL"))
        for external in ["http://", "https://", "<script", "src=", "@import"] { #expect(!html.contains(external)) }

        let (mst, md, _) = try Harness.exec(Harness.agentwatch, ["report", trace, "--format", "md"])
        #expect(mst == 0)
        #expect(md.hasPrefix("# agentwatch incident report"))
        #expect(md.contains("**Reverse shell** (Critical, kill)"))
    }

    @Test func unreadableTraceIsAClearError() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "{\"agentwatch_trace\":1,\"version\":\"x\",\"host\":\"h\",\"command\":[],\"start_wall\":0,\"tracer_pid\":1}\n{\"seq\":1,oops}\n{}\n"
            .write(toFile: dir + "/bad.jsonl", atomically: true, encoding: .utf8)
        let (st, _, err) = try Harness.exec(Harness.agentwatch, ["report", dir + "/bad.jsonl"])
        #expect(st == 2)
        #expect(err.contains("bad.jsonl:2:"))
    }

    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Headless Chromium renders the report; the screenshot shows the red alert
    /// box, the kill badge and the process boxes.
    @Test(.enabled(if: chromium != nil)) func rendersInChromium() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trace = try Self.rogueTrace(in: dir)
        _ = try Harness.exec(Harness.agentwatch, ["report", trace, "-o", dir + "/r.html"])
        let shot = dir + "/shot.png"
        let (_, _, _) = try Harness.exec(Self.chromium ?? "", [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1100,1400",
            "--screenshot=" + shot, "file://" + dir + "/r.html",
        ], timeout: 90)
        #expect(FileManager.default.fileExists(atPath: shot))
        let (_, counts, _) = try Harness.exec("/usr/bin/python3", [Harness.repo + "/scripts/png-colors.py", shot,
                                                                     "fdecea", "b3261e", "d8dce3"])
        let n = counts.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(n.count == 3)
        if n.count == 3 {
            #expect(n[0] > 20_000, "alert box background")
            #expect(n[1] > 500, "kill badge and the alerting process")
            #expect(n[2] > 1_000, "process tree boxes")
        }
        let (_, dom, _) = try Harness.exec(Self.chromium ?? "", ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                                                                  "file://" + dir + "/r.html"], timeout: 90)
        #expect(dom.contains("Process tree"))
        #expect(dom.contains("Reverse shell"))
    }
}
