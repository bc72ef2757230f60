import Glibc

/// A sibling thread, or another process sharing memory with this one, can
/// rewrite a path or an address after the tracer read it at the stop and before
/// the kernel copies it. In such a process the checked syscalls therefore also
/// stop at exit, where the kernel's own view is read back — the file the new
/// descriptor names (/proc/PID/fd), the peer the socket is connected to — and,
/// when it differs from what was checked, the rules judge the syscall again on
/// the truth. Whatever they would have
/// refused is now done, so the process is killed before it runs another
/// instruction: it never reads from the descriptor nor sends on the connection.
enum RaceCheck {
    static let checked: Set<String> = ["open", "openat", "openat2", "creat", "connect"]
    static let pathArgs: Set<String> = ["filename", "pathname", "path"]
}

extension TraceSession {
    /// Another thread, or another process through shared memory, can write this process's memory.
    func sharesMemory(_ pid: Int32) -> Bool { threadsOf[pid, default: 1] > 1 || sharedMemory.contains(pid) }

    /// Memory another process can write: a shared writable mapping (the
    /// prefilter stops only those mmaps), System V shared memory, or a clone
    /// that shares the whole address space with a new process.
    func noteSharedMemory(_ task: TaskState, _ name: String, _ raw: [UInt64], _ args: [Arg]) {
        switch name {
        case "mmap", "mmap2":
            if raw.count > 3, raw[3] & UInt64(SeccompProgram.mapShared) != 0, raw[2] & UInt64(SeccompProgram.protWrite) != 0 {
                sharedMemory.insert(task.pid)
            }
        case "shmat":
            sharedMemory.insert(task.pid)
        case "clone", "clone3":
            let flags = CloneDecoders.flags(of: args) ?? 0
            task.cloneSharesVM = flags & Flags.cloneVM != 0 && flags & (Flags.cloneThread | Flags.cloneVfork) == 0
        default:
            break
        }
    }

    func forgetThread(of pid: Int32) {
        let n = (threadsOf[pid] ?? 1) - 1
        threadsOf[pid] = n > 0 ? n : nil
    }

    /// The verdict on what the kernel actually did, or nil when it did what was checked.
    func recheckAgainstKernel(_ task: TaskState, _ entry: Event, _ sc: Syscall) -> Verdict? {
        guard let exit = sc.exit, !sc.denied else { return nil }
        var args = sc.args
        var checked = "", actual = ""
        if sc.name == "connect" {
            guard exit.ret == 0 || exit.ret == -Int64(EINPROGRESS),
                  case .fd(let n, _)? = sc.arg("fd"), let remote = FdResolver.resolve(pid: task.pid, fd: n)?.remote,
                  let i = args.firstIndex(where: { $0.name == "addr" }), case .sockaddr(let sa) = args[i].value
            else { return nil }
            checked = ArgText.endpoint(sa)
            actual = ArgText.endpoint(remote)
            if checked == actual { return nil }
            args[i] = Arg("addr", .sockaddr(remote))
        } else {
            guard exit.ret >= 0, let opened = exit.out.first(where: { $0.name == "fd" }),
                  case .fd(_, let info?) = opened.value, info.kind == .file || info.kind == .directory,
                  let i = args.firstIndex(where: { RaceCheck.pathArgs.contains($0.name) }),
                  case .path(let path, let raw) = args[i].value
            else { return nil }
            checked = path
            actual = info.name
            if checked == actual { return nil }
            args[i] = Arg(args[i].name, .path(actual, raw: raw))
        }
        var truth = Event(seq: entry.seq, mono: entry.mono, wall: entry.wall, pid: entry.pid, tid: entry.tid,
                          kind: .syscall(Syscall(name: sc.name, nr: sc.nr, arch: sc.arch, args: args,
                                                 unreadable: sc.unreadable)))
        truth.stack = entry.stack
        let verdict = sink.observe(truth, processes: processes)
        if verdict == .allow { return nil }
        sink.notice("pid \(task.pid): \(sc.name) checked \(checked) but the kernel used \(actual) "
                    + "(another thread or process changed it, or a link led elsewhere); killed")
        return verdict == .killTree ? .killTree : .killProcess
    }
}
