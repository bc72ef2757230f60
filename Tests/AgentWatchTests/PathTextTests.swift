import Glibc
import Testing
@testable import AgentWatchCore

/// Lexical path normalization, on the path of every decoded open.
@Suite struct PathTextTests {
    @Test(arguments: [
        ("/", "/"), ("/a/b", "/a/b"), ("/a//b", "/a/b"), ("/a/./b", "/a/b"), ("/a/b/../c", "/a/c"),
        ("/a/b/", "/a/b"), ("/a/.", "/a"), ("/a/..", "/"), ("/..", "/"), ("/../etc/shadow", "/etc/shadow"),
        ("/home/u/.ssh/id_rsa", "/home/u/.ssh/id_rsa"), ("/r/.gitattributes", "/r/.gitattributes"),
        ("/r/.../x", "/r/.../x"), ("/r/..x/y", "/r/..x/y"), ("/r/x./y", "/r/x./y"), ("/r/a/.././b", "/r/b"),
        ("/tmp/.//x", "/tmp/x"), ("relative/../x", "relative/../x"),
    ])
    func normalizes(_ input: String, _ expected: String) {
        #expect(PathText.normalize(input) == expected)
    }
}

/// What the memory holds is what /proc/PID/cmdline says, for a running process too.
@Test func argvFromMemoryIsTheCommandLine() throws {
    let me = getpid()
    let stat = try #require(ProcStat.read(me, argBounds: true))
    #expect(stat.argStart != 0 && stat.argEnd > stat.argStart)
    #expect(ProcStat.argv(me, stat) == ProcStatus.cmdline(me))
    #expect(ProcStat.argv(me, try #require(ProcStat.read(me))) == nil)
}
