// init_module, finit_module, delete_module, bpf: code loaded into the kernel.
enum KernelDecoders {
    static let entry: [String: EntryDecoder] = [
        "init_module": { c in [Arg("image", c.hex(0)), Arg("len", c.num(1)), Arg("params", c.string(2))] },
        "finit_module": { c in
            [Arg("fd", c.fd(0)), Arg("params", c.string(1)), Arg("flags", Flags.moduleInit.value(c.u(2)))]
        },
        "delete_module": { c in [Arg("name", c.string(0)), Arg("flags", c.hex(1))] },
        "bpf": { c in [Arg("cmd", Flags.bpfCmd.value(c.u(0))), Arg("attr", c.hex(1)), Arg("size", c.num(2))] },
    ]
}
