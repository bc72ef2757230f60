// dup, dup2, dup3, fcntl(F_DUPFD), close: descriptor plumbing, the core of
// "socket onto stdin/stdout/stderr".
enum DescDecoders {
    static let entry: [String: EntryDecoder] = [
        "dup": { c in [Arg("oldfd", c.fd(0))] },
        "dup2": { c in [Arg("oldfd", c.fd(0)), Arg("newfd", c.fd(1))] },
        "dup3": { c in
            [Arg("oldfd", c.fd(0)), Arg("newfd", c.fd(1)),
             Arg("flags", FlagTable([(0o2000000, "O_CLOEXEC")]).value(c.u(2)))]
        },
        "fcntl": { c in
            let cmd = c.u(1)
            var args = [Arg("fd", c.fd(0)), Arg("cmd", Flags.fcntlCmd.value(cmd))]
            switch cmd {
            case Flags.fcntlDupfd, Flags.fcntlDupfdCloexec: args.append(Arg("arg", c.num(2)))
            case 4: args.append(Arg("arg", Flags.openFlags(c.u(2))))
            default: args.append(Arg("arg", c.hex(2)))
            }
            return args
        },
        "close": { c in [Arg("fd", c.fd(0))] },
        "close_range": { c in [Arg("first", c.num(0)), Arg("last", c.num(1)), Arg("flags", c.hex(2))] },
    ]

    static let newFd: ExitDecoder = { c, r in
        [Arg("newfd", .fd(Int32(truncatingIfNeeded: r), FdResolver.resolve(pid: c.pid, fd: Int32(truncatingIfNeeded: r))))]
    }

    static let exit: [String: ExitDecoder] = [
        "dup": newFd, "dup2": newFd, "dup3": newFd,
        "fcntl": { c, r in
            let cmd = c.u(1)
            return cmd == Flags.fcntlDupfd || cmd == Flags.fcntlDupfdCloexec ? newFd(&c, r) : []
        },
    ]

    /// For dup-family events: (source fd, target fd) when both are known at entry.
    static func duplication(_ name: String, _ args: [Arg]) -> (Int32, Int32)? {
        func fdOf(_ n: String) -> Int32? {
            for a in args where a.name == n { if case .fd(let f, _) = a.value { return f } }
            return nil
        }
        switch name {
        case "dup2", "dup3":
            if let o = fdOf("oldfd"), let n = fdOf("newfd") { return (o, n) }
        default: break
        }
        return nil
    }
}
