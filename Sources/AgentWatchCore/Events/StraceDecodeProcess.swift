// Process creation, signals, tracing, memory and kernel calls from strace
// text, with the argument names and types of Tracer/Decoders (Clone, Signals,
// ProcessCtl, Memory, Kernel, IoUring).

extension StraceDecoder {
    mutating func processArgs() -> [Arg]? {
        switch name {
        case "fork", "vfork", "setsid": return []
        case "clone":
            // clone(child_stack=NULL, flags=CLONE_…|SIGCHLD, child_tidptr=0x…)
            return [Arg("flags", Self.flags(named("flags"), Flags.cloneFlags)),
                    Arg("stack", Self.hex(named("child_stack", "stack"))),
                    Arg("parent_tid", Self.hex(named("parent_tid", "parent_tidptr"))),
                    Arg("child_tid", Self.hex(named("child_tidptr", "child_tid"))),
                    Arg("tls", Self.hex(named("tls", "newtls")))]
        case "clone3":
            // clone3({flags=…, exit_signal=SIGCHLD, stack=0x…, …}, 88)
            // `{…} => {parent_tid=[123]}` on return: the flags are in the first struct.
            var cl = value(0)
            if case .changed(let before, _)? = cl { cl = before }
            guard let cl, case .structure = cl else {
                unreadable = true
                return [Arg("cl_args", .unreadable(UInt64(bitPattern: Self.integer(value(0)) ?? 0))), Arg("size", num(1))]
            }
            return [Arg("flags", Self.flags(cl.field("flags"), Flags.cloneFlags)),
                    Arg("exit_signal", Self.flags(cl.field("exit_signal"), Signals.value)),
                    Arg("stack", Self.hex(cl.field("stack"))), Arg("size", num(1))]
        case "kill": return [Arg("pid", num(0)), Arg("sig", flags(1, Signals.value))]
        case "tgkill": return [Arg("tgid", num(0)), Arg("tid", num(1)), Arg("sig", flags(2, Signals.value))]
        case "tkill": return [Arg("tid", num(0)), Arg("sig", flags(1, Signals.value))]
        case "ptrace":
            return [Arg("request", flags(0, Flags.ptraceRequest.value)), Arg("pid", num(1)), Arg("addr", hex(2)), Arg("data", hex(3))]
        case "process_vm_writev", "process_vm_readv":
            return [Arg("pid", num(0)), Arg("local_iov", hex(1)), Arg("liovcnt", num(2)), Arg("remote_iov", hex(3)),
                    Arg("riovcnt", num(4)), Arg("flags", hex(5))]
        case "prctl":
            let option = flags(0, Flags.prctlOption.value)
            var out = [Arg("option", option)]
            guard case .flags(let o, _) = option else { return out }
            if o == Flags.prSetName {
                out.append(Arg("arg2", string(1)))
            } else if o == Flags.prSetSeccomp {
                out.append(Arg("arg2", flags(1, Flags.seccompOp.value)))
                out.append(Arg("arg3", hex(2)))
            } else {
                out += [Arg("arg2", hex(1)), Arg("arg3", hex(2)), Arg("arg4", hex(3)), Arg("arg5", hex(4))]
            }
            return out
        case "seccomp":
            return [Arg("operation", flags(0, Flags.seccompOp.value)), Arg("flags", flags(1, Flags.seccompFilterFlags.value)),
                    Arg("args", hex(2))]
        case "pidfd_open": return [Arg("pid", num(0)), Arg("flags", hex(1))]
        case "pidfd_getfd": return [Arg("pidfd", fd(0)), Arg("targetfd", num(1)), Arg("flags", hex(2))]
        case "mmap", "mmap2":
            let n = Self.integer(value(4)) ?? -1
            return [Arg("addr", hex(0)), Arg("length", num(1)), Arg("prot", flags(2, Flags.protValue)),
                    Arg("flags", flags(3, Flags.mapFlags)), Arg("fd", n >= 0 ? fd(4) : .int(n)), Arg("offset", hex(5))]
        case "mprotect": return [Arg("addr", hex(0)), Arg("length", num(1)), Arg("prot", flags(2, Flags.protValue))]
        case "memfd_create": return [Arg("name", string(0)), Arg("flags", flags(1, Flags.memfd.value))]
        case "init_module": return [Arg("image", hex(0)), Arg("len", num(1)), Arg("params", string(2))]
        case "finit_module": return [Arg("fd", fd(0)), Arg("params", string(1)), Arg("flags", flags(2, Flags.moduleInit.value))]
        case "delete_module": return [Arg("name", string(0)), Arg("flags", hex(1))]
        case "bpf": return [Arg("cmd", flags(0, Flags.bpfCmd.value)), Arg("attr", hex(1)), Arg("size", num(2))]
        case "io_uring_setup": return [Arg("entries", num(0)), Arg("params", hex(1))]
        case "io_uring_enter":
            return [Arg("fd", fd(0)), Arg("to_submit", num(1)), Arg("min_complete", num(2)), Arg("flags", flags(3, Flags.ioUringEnter.value))]
        case "io_uring_register": return [Arg("fd", fd(0)), Arg("opcode", num(1)), Arg("arg", hex(2)), Arg("nr_args", num(3))]
        default: return nil
        }
    }

    func processOut(_ entry: [Arg]) -> [Arg]? {
        guard let ret, ret >= 0 else { return nil }
        switch name {
        case "fork", "vfork", "clone", "clone3": return [Arg("child", .int(ret))]
        case "memfd_create":
            var memfd: FdInfo?
            if case .str(let s, _)? = entry.first?.value { memfd = FdInfo(kind: .memfd, name: "/memfd:\(s) (deleted)") }
            return [Arg("fd", resultFd(ret, fallback: memfd))]
        case "io_uring_setup": return [Arg("fd", resultFd(ret, fallback: FdInfo(kind: .iouring, name: "anon_inode:[io_uring]")))]
        default: return nil
        }
    }

    /// For clone-family calls: the raw clone flags (exit signal in the low byte).
    static func cloneFlags(_ name: String, _ args: [Arg]) -> UInt64 {
        switch name {
        case "fork": return 17
        case "vfork": return Flags.cloneVfork | 0x100 | 17
        default:
            var raw: UInt64 = 0
            for a in args {
                if a.name == "flags", case .flags(let r, _) = a.value { raw |= r }
                if a.name == "exit_signal", case .flags(let r, _) = a.value { raw |= r & 0xff }
            }
            return raw
        }
    }

    /// What ptrace would have reported for a clone with these flags (as the kernel decides).
    static func via(cloneFlags raw: UInt64) -> String {
        if raw & Flags.cloneVfork != 0 { return "vfork" }
        return raw & 0xff == 17 ? "fork" : "clone"
    }
}
