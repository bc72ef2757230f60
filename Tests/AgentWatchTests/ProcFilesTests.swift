import Glibc
import Testing
@testable import AgentWatchCore

/// What the memory holds is what /proc/PID/cmdline says, for a running process too.
@Test func argvFromMemoryIsTheCommandLine() throws {
    let me = getpid()
    let stat = try #require(ProcStat.read(me, argBounds: true))
    #expect(stat.argStart != 0 && stat.argEnd > stat.argStart)
    #expect(ProcStat.argv(me, stat) == ProcStatus.cmdline(me))
    #expect(ProcStat.argv(me, try #require(ProcStat.read(me))) == nil)
}
