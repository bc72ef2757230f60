import Testing
@testable import AgentWatchCore

/// Which rules make the tracer stop at execve's own exit: only those that can
/// match a failed exec; a successful exec's exit is the exec event.
@Suite struct PolicyExitStopTests {
    func engine(_ condition: String) -> PolicyEngine {
        PolicyEngine(policies: PolicySet.load(yaml: """
            - rule: r
              desc: d
              condition: \(condition)
              output: o
              priority: INFO
            """))
    }

    @Test func successOnlyExecRulesNeedNoExitStop() {
        for c in ["evt.type = execve and evt.res = SUCCESS", "evt.type = execve and evt.dir = <",
                  "evt.type = execve and evt.failed = false", "evt.type = execve and proc.exe.markers in (xmrig)"] {
            let e = engine(c)
            #expect(e.needsExit("execve"), "\(c) runs after the exec")
            #expect(!e.needsExitStop("execve"), "\(c) is served by the exec event")
        }
    }

    @Test func rulesThatCanSeeAFailedExecNeedTheExitStop() {
        for c in ["evt.type = execve and evt.res != SUCCESS", "evt.type = execve and not evt.res = SUCCESS",
                  "evt.type = execve and evt.failed = true", "evt.type = execve and evt.rawres < 0"] {
            #expect(engine(c).needsExitStop("execve"), "\(c)")
        }
    }

    @Test func otherSyscallsKeepTheirExit() {
        #expect(engine("evt.type = openat and evt.res = SUCCESS").needsExitStop("openat"))
        #expect(!engine("evt.type = openat and fd.name = /x").needsExitStop("openat"))
    }
}
