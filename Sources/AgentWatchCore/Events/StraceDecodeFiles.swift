// exec, open, descriptor plumbing and file-system changes from strace text,
// with the argument names and types of Tracer/Decoders (Exec, Open, Desc, FileOps).

extension StraceDecoder {
    mutating func fileArgs() -> [Arg]? {
        switch name {
        case "execve":
            return [Arg("filename", path(0, base: cwdBase)), Arg("argv", strings(1)), Arg("envp", hex(2))]
        case "execveat":
            let (d, base) = dirfd(0)
            return [Arg("dirfd", d), Arg("filename", path(1, base: base)), Arg("argv", strings(2)),
                    Arg("envp", hex(3)), Arg("flags", flags(4, Flags.at.value))]
        case "open":
            let f = flags(1, Flags.openFlags)
            return withMode([Arg("filename", path(0, base: cwdBase)), Arg("flags", f)], f, modeIndex: 2)
        case "openat":
            let (d, base) = dirfd(0)
            let f = flags(2, Flags.openFlags)
            return withMode([Arg("dirfd", d), Arg("filename", path(1, base: base)), Arg("flags", f)], f, modeIndex: 3)
        case "openat2":
            // openat2(AT_FDCWD, "/p", {flags=O_RDONLY, mode=0, resolve=RESOLVE_NO_SYMLINKS}, 24)
            let (d, base) = dirfd(0)
            var out = [Arg("dirfd", d), Arg("filename", path(1, base: base))]
            if case .structure? = value(2) {
                out.append(Arg("flags", Self.flags(value(2)?.field("flags"), Flags.openFlags)))
                out.append(Arg("mode", OpenDecoders.mode(UInt64(bitPattern: Self.integer(value(2)?.field("mode")) ?? 0))))
                out.append(Arg("resolve", .hex(StraceConstants.flags(Self.wordText(value(2)?.field("resolve")) ?? "0").raw)))
            } else {
                unreadable = true
                out.append(Arg("how", .unreadable(UInt64(bitPattern: Self.integer(value(2)) ?? 0))))
            }
            return out
        case "creat":
            return [Arg("filename", path(0, base: cwdBase)), Arg("flags", Flags.openFlags(0o1101)), Arg("mode", mode(1))]
        case "dup": return [Arg("oldfd", fd(0))]
        case "dup2": return [Arg("oldfd", fd(0)), Arg("newfd", fd(1))]
        case "dup3":
            return [Arg("oldfd", fd(0)), Arg("newfd", fd(1)), Arg("flags", flags(2, FlagTable([(0o2000000, "O_CLOEXEC")]).value))]
        case "fcntl", "fcntl64":
            let cmd = flags(1, Flags.fcntlCmd.value)
            var out = [Arg("fd", fd(0)), Arg("cmd", cmd)]
            guard case .flags(let c, _) = cmd else { return out }
            switch c {
            case Flags.fcntlDupfd, Flags.fcntlDupfdCloexec: out.append(Arg("arg", num(2)))
            case 4: out.append(Arg("arg", flags(2, Flags.openFlags)))
            default: out.append(Arg("arg", hex(2)))
            }
            return out
        case "close": return [Arg("fd", fd(0))]
        case "close_range": return [Arg("first", num(0)), Arg("last", num(1)), Arg("flags", hex(2))]
        case "rename", "link": return [Arg("oldpath", path(0, base: cwdBase)), Arg("newpath", path(1, base: cwdBase))]
        case "renameat", "renameat2", "linkat":
            let (od, obase) = dirfd(0)
            let (nd, nbase) = dirfd(2)
            var out = [Arg("olddirfd", od), Arg("oldpath", path(1, base: obase)), Arg("newdirfd", nd), Arg("newpath", path(3, base: nbase))]
            if name == "renameat2" { out.append(Arg("flags", flags(4, Flags.rename.value))) }
            if name == "linkat" { out.append(Arg("flags", flags(4, Flags.at.value))) }
            return out
        case "unlink", "rmdir": return [Arg("pathname", path(0, base: cwdBase))]
        case "unlinkat":
            let (d, base) = dirfd(0)
            return [Arg("dirfd", d), Arg("pathname", path(1, base: base)), Arg("flags", flags(2, Flags.at.value))]
        case "mkdir", "chmod": return [Arg("pathname", path(0, base: cwdBase)), Arg("mode", mode(1))]
        case "fchmod": return [Arg("fd", fd(0)), Arg("mode", mode(1))]
        case "mkdirat", "fchmodat", "fchmodat2":
            let (d, base) = dirfd(0)
            var out = [Arg("dirfd", d), Arg("pathname", path(1, base: base)), Arg("mode", mode(2))]
            if name == "fchmodat2" { out.append(Arg("flags", flags(3, Flags.at.value))) }
            return out
        case "symlink": return [Arg("target", string(0)), Arg("linkpath", path(1, base: cwdBase))]
        case "symlinkat":
            let (d, base) = dirfd(1)
            return [Arg("target", string(0)), Arg("newdirfd", d), Arg("linkpath", path(2, base: base))]
        case "chdir": return [Arg("path", path(0, base: cwdBase))]
        case "fchdir": return [Arg("fd", fd(0))]
        case "truncate": return [Arg("path", path(0, base: cwdBase)), Arg("length", num(1))]
        case "ftruncate": return [Arg("fd", fd(0)), Arg("length", num(1))]
        default: return nil
        }
    }

    /// What the call gave back, for the calls whose live decoder reads an exit.
    func fileOut(_ entry: [Arg]) -> [Arg]? {
        guard let ret, ret >= 0 else { return nil }
        switch name {
        case "open", "openat", "openat2", "creat":
            var opened: FdInfo?
            if case .path(let p, _)? = entry.first(where: { $0.name == "filename" })?.value {
                opened = p.hasPrefix("/") ? FdResolver.classify(p, pid: 0, fd: -1) : FdInfo(kind: .file, name: p)
            }
            return [Arg("fd", resultFd(ret, fallback: opened))]
        case "dup", "dup2", "dup3":
            return [Arg("newfd", resultFd(ret, fallback: fdInfo(entry, "oldfd")))]
        case "fcntl", "fcntl64":
            guard case .flags(let c, _)? = entry.first(where: { $0.name == "cmd" })?.value,
                  c == Flags.fcntlDupfd || c == Flags.fcntlDupfdCloexec else { return [] }
            return [Arg("newfd", resultFd(ret, fallback: fdInfo(entry, "fd")))]
        default:
            return nil
        }
    }

    /// The returned descriptor, described by strace's `= 3</path>` when present.
    func resultFd(_ ret: Int64, fallback: FdInfo?) -> ArgValue {
        let n = Int32(truncatingIfNeeded: ret)
        guard let retAnnotation else { return .fd(n, fallback) }
        let annotated = StraceAnnotation.fdInfo(retAnnotation)
        // -y says only "socket:[ino]"; what socket() asked for says more.
        if annotated.kind == .socket, let fallback, fallback.isSocket { return .fd(n, fallback) }
        return .fd(n, annotated)
    }

    func fdInfo(_ args: [Arg], _ name: String) -> FdInfo? {
        if case .fd(_, let info)? = args.first(where: { $0.name == name })?.value { return info }
        return nil
    }

    func mode(_ i: Int) -> ArgValue { OpenDecoders.mode(UInt64(bitPattern: Self.integer(value(i)) ?? 0)) }

    /// Like OpenDecoders.withMode: the mode only means something when the call may create.
    func withMode(_ args: [Arg], _ flags: ArgValue, modeIndex: Int) -> [Arg] {
        guard case .flags(let raw, _) = flags, raw & 0o20000100 != 0 else { return args }
        return args + [Arg("mode", mode(modeIndex))]
    }

    static func wordText(_ v: StraceValue?) -> String? {
        if case .word(let t)? = v { return t }
        return nil
    }
}
