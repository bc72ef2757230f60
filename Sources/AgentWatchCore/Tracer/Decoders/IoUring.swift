// io_uring_setup/enter/register: a queue whose operations run inside the
// kernel without syscalls a tracer could see.
enum IoUringDecoders {
    static let entry: [String: EntryDecoder] = [
        "io_uring_setup": { c in [Arg("entries", c.num(0)), Arg("params", c.hex(1))] },
        "io_uring_enter": { c in
            [Arg("fd", c.fd(0)), Arg("to_submit", c.num(1)), Arg("min_complete", c.num(2)),
             Arg("flags", Flags.ioUringEnter.value(c.u(3)))]
        },
        "io_uring_register": { c in
            [Arg("fd", c.fd(0)), Arg("opcode", c.num(1)), Arg("arg", c.hex(2)), Arg("nr_args", c.num(3))]
        },
    ]
    static let exit: [String: ExitDecoder] = ["io_uring_setup": OpenDecoders.returnsFd]
}
