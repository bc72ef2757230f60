// ptrace, process_vm_writev, prctl, seccomp, setsid, pidfd_getfd: ways to
// reach into other processes or change how this one is watched.
enum ProcessCtlDecoders {
    static let entry: [String: EntryDecoder] = [
        "ptrace": { c in
            [Arg("request", Flags.ptraceRequest.value(c.u(0))), Arg("pid", c.num(1)),
             Arg("addr", c.hex(2)), Arg("data", c.hex(3))]
        },
        "process_vm_writev": { c in
            [Arg("pid", c.num(0)), Arg("local_iov", c.hex(1)), Arg("liovcnt", c.num(2)),
             Arg("remote_iov", c.hex(3)), Arg("riovcnt", c.num(4)), Arg("flags", c.hex(5))]
        },
        "process_vm_readv": { c in
            [Arg("pid", c.num(0)), Arg("local_iov", c.hex(1)), Arg("liovcnt", c.num(2)),
             Arg("remote_iov", c.hex(3)), Arg("riovcnt", c.num(4)), Arg("flags", c.hex(5))]
        },
        "prctl": { c in
            let option = c.u(0)
            var args = [Arg("option", Flags.prctlOption.value(option))]
            if option == Flags.prSetName {
                args.append(Arg("arg2", c.string(1)))
            } else if option == Flags.prSetSeccomp {
                args.append(Arg("arg2", Flags.seccompMode.value(c.u(1))))
                args.append(Arg("arg3", c.hex(2)))
            } else {
                args += [Arg("arg2", c.hex(1)), Arg("arg3", c.hex(2)), Arg("arg4", c.hex(3)), Arg("arg5", c.hex(4))]
            }
            return args
        },
        "seccomp": { c in
            [Arg("operation", Flags.seccompOp.value(c.u(0))), Arg("flags", Flags.seccompFilterFlags.value(c.u(1))),
             Arg("args", c.hex(2))]
        },
        "setsid": { _ in [] },
        "pidfd_open": { c in [Arg("pid", c.num(0)), Arg("flags", c.hex(1))] },
        "pidfd_getfd": { c in [Arg("pidfd", c.fd(0)), Arg("targetfd", c.num(1)), Arg("flags", c.hex(2))] },
    ]
}
