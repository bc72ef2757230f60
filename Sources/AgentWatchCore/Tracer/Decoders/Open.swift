// open, openat, openat2, creat: paths made absolute, flags named; the exit
// gives the descriptor and what it really refers to.
enum OpenDecoders {
    static func mode(_ raw: UInt64) -> ArgValue { .flags(raw, names: ["0" + String(raw & 0o7777, radix: 8)]) }

    /// The mode only means something when the call may create a file.
    static func withMode(_ args: [Arg], flags: UInt64, mode raw: UInt64) -> [Arg] {
        flags & 0o20000100 != 0 ? args + [Arg("mode", mode(raw))] : args
    }

    static let entry: [String: EntryDecoder] = [
        "open": { c in
            withMode([Arg("filename", c.path(0)), Arg("flags", Flags.openFlags(c.u(1)))], flags: c.u(1), mode: c.u(2))
        },
        "openat": { c in
            withMode([Arg("dirfd", c.dirfd(0)), Arg("filename", c.path(1, dirfdIndex: 0)),
                      Arg("flags", Flags.openFlags(c.u(2)))], flags: c.u(2), mode: c.u(3))
        },
        "openat2": { c in
            var args = [Arg("dirfd", c.dirfd(0)), Arg("filename", c.path(1, dirfdIndex: 0))]
            if let b = c.mem.bytes(c.u(2), 24), b.count == 24 {
                args.append(Arg("flags", Flags.openFlags(le64(b, 0))))
                args.append(Arg("mode", mode(le64(b, 8))))
                args.append(Arg("resolve", .hex(le64(b, 16))))
            } else {
                c.unreadable = true
                args.append(Arg("how", .unreadable(c.u(2))))
            }
            return args
        },
        "creat": { c in
            [Arg("filename", c.path(0)), Arg("flags", Flags.openFlags(0o1101)), Arg("mode", mode(c.u(1)))]
        },
    ]

    static let returnsFd: ExitDecoder = { c, r in [Arg("fd", .fd(Int32(truncatingIfNeeded: r), FdResolver.resolve(pid: c.pid, fd: Int32(truncatingIfNeeded: r))))] }

    static let exit: [String: ExitDecoder] = [
        "open": returnsFd, "openat": returnsFd, "openat2": returnsFd, "creat": returnsFd,
    ]
}
