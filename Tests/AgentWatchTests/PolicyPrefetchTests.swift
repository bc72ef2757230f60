import Foundation
import Testing
@testable import AgentWatchCore

/// The pack loaded early (while the command line is parsed) must be exactly
/// what loading the asked-for files would give.
@Suite struct PolicyPrefetchTests {
    let pack = PolicyFiles.expand(Harness.repo + "/Policies")

    private func summary(_ s: PolicySet) -> [String] {
        s.rules.map { "\($0.name) \($0.location) \($0.eventTypes.complement) \($0.eventTypes.names.sorted())" } + s.skipped.map { "skipped \($0.rule): \($0.reason)" }
            + s.diagnostics.map(\.description)
    }

    @Test func earlySetIsTheLoadedSet() {
        let prefetch = PolicyPrefetch()
        prefetch.start(paths: pack, compile: true)
        let early = PolicySet.load(paths: pack, prefetch: prefetch)
        #expect(prefetch.take() == nil)  // handed over once
        let plain = PolicySet.load(paths: pack, prefetch: PolicyPrefetch())
        #expect(!early.rules.isEmpty)
        #expect(summary(early) == summary(plain))
    }

    /// Asked for more files than were started (or the same ones only parsed):
    /// the early parse is used, the early set never.
    @Test(arguments: [true, false])
    func otherFilesBuildTheirOwnSet(compile: Bool) throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let extra = dir + "/extra.yaml"
        try """
        - rule: Extra
          desc: d
          condition: evt.type = openat and fd.name = /nowhere
          output: o
          priority: WARNING
        """.write(toFile: extra, atomically: true, encoding: .utf8)
        let prefetch = PolicyPrefetch()
        prefetch.start(paths: pack, compile: compile)
        let set = PolicySet.load(paths: pack + [extra], prefetch: prefetch)
        let plain = PolicySet.load(paths: pack + [extra], prefetch: PolicyPrefetch())
        #expect(set.rules.contains { $0.name == "Extra" })
        #expect(summary(set) == summary(plain))
        #expect(summary(set) != summary(PolicySet.load(paths: pack, prefetch: PolicyPrefetch())))
    }
}
