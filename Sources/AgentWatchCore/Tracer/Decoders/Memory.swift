// mmap, mprotect, memfd_create: executable memory and file-less programs.
enum MemoryDecoders {
    static let entry: [String: EntryDecoder] = [
        "mmap": { c in
            let fd = c.fdNumber(4)
            return [Arg("addr", c.hex(0)), Arg("length", c.num(1)), Arg("prot", Flags.protValue(c.u(2))),
                    Arg("flags", Flags.mapFlags(c.u(3))), Arg("fd", fd >= 0 ? c.fd(4) : .int(Int64(fd))),
                    Arg("offset", c.hex(5))]
        },
        "mprotect": { c in
            [Arg("addr", c.hex(0)), Arg("length", c.num(1)), Arg("prot", Flags.protValue(c.u(2)))]
        },
        "memfd_create": { c in [Arg("name", c.string(0)), Arg("flags", Flags.memfd.value(c.u(1)))] },
    ]

    static let exit: [String: ExitDecoder] = [
        "memfd_create": OpenDecoders.returnsFd,
    ]
}
