import Testing
@testable import AgentWatchCore

@Test func processTableTracksSpawn() {
    let t = ProcessTable()
    t.apply(Event(seq: 1, mono: 0, wall: 0, pid: 10, tid: 10, kind: .spawn(Spawn(ppid: 1, via: "root", exe: "/bin/sh", argv: ["sh"], cwd: "/", uid: 0, comm: "sh"))))
    #expect(t.process(10)?.name == "sh")
}
