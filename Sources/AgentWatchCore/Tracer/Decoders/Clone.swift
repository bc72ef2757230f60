// fork, vfork, clone, clone3: the flags decide thread vs process and whether
// the child would escape the tracer (CLONE_UNTRACED).
enum CloneDecoders {
    static let entry: [String: EntryDecoder] = [
        "fork": { _ in [] },
        "vfork": { _ in [] },
        "clone": { c in
            // i386 swaps the tls and child_tid slots.
            let childTid = c.compat ? 4 : 3
            let tls = c.compat ? 3 : 4
            return [Arg("flags", Flags.cloneFlags(c.u(0))), Arg("stack", c.hex(1)),
                    Arg("parent_tid", c.hex(2)), Arg("child_tid", c.hex(childTid)), Arg("tls", c.hex(tls))]
        },
        "clone3": { c in
            let size = Int(min(c.u(1), 88))
            guard size >= 8, let b = c.mem.bytes(c.u(0), size), b.count >= 8 else {
                c.unreadable = true
                return [Arg("cl_args", .unreadable(c.u(0))), Arg("size", c.num(1))]
            }
            var args = [Arg("flags", Flags.cloneFlags(le64(b, 0)))]
            if b.count >= 40 {
                let sig = le64(b, 32)
                args.append(Arg("exit_signal", Signals.value(sig)))
            }
            if b.count >= 56 { args.append(Arg("stack", .hex(le64(b, 40)))) }
            args.append(Arg("size", c.num(1)))
            return args
        },
    ]

    static let exit: [String: ExitDecoder] = [
        "fork": { _, r in [Arg("child", .int(r))] },
        "vfork": { _, r in [Arg("child", .int(r))] },
        "clone": { _, r in [Arg("child", .int(r))] },
        "clone3": { _, r in [Arg("child", .int(r))] },
    ]

    /// The flags a clone or clone3 entry asked for, when they could be read.
    static func flags(of args: [Arg]) -> UInt64? {
        for a in args where a.name == "flags" {
            if case .flags(let raw, _) = a.value { return raw }
        }
        return nil
    }
}
