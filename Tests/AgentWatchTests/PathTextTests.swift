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

@Test func theLastPathComponentIsWhatSplittingGives() {
    for path in ["", "/", "//", "a", "/a", "a/", "/a/b//", "a//b", "/usr/bin/python3", "/tmp/é/ü", "/proc/12/fd/3/"] {
        #expect(PathText.lastComponent(path) == path.split(separator: "/").last.map(String.init), "\(path)")
    }
}
