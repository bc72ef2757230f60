// execve, execveat: the program about to run, read before the old image is gone.
enum ExecDecoders {
    static func argv(_ c: inout DecodeContext, _ i: Int) -> ArgValue {
        guard let (list, truncated) = c.mem.stringArray(c.u(i)) else {
            c.unreadable = true
            return .unreadable(c.u(i))
        }
        return .strings(list, truncated: truncated)
    }

    static let entry: [String: EntryDecoder] = [
        "execve": { c in
            [Arg("filename", c.path(0)), Arg("argv", argv(&c, 1)), Arg("envp", .hex(c.u(2)))]
        },
        "execveat": { c in
            [Arg("dirfd", c.dirfd(0)), Arg("filename", c.path(1, dirfdIndex: 0)), Arg("argv", argv(&c, 2)),
             Arg("envp", .hex(c.u(3))), Arg("flags", Flags.at.value(c.u(4)))]
        },
    ]
}
