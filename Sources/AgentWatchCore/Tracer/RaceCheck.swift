import Glibc

/// A sibling thread can rewrite a path or an address after the tracer read it at
/// the stop and before the kernel copies it. In a process with more than one
/// thread the checked syscalls therefore also stop at exit, where the kernel's
/// own view is read back — the file the new descriptor names (/proc/PID/fd), the
/// peer the socket is connected to — and, when it differs from what was checked,
/// the rules judge the syscall again on the truth. Whatever they would have
/// refused is now done, so the process is killed before it runs another
/// instruction: it never reads from the descriptor nor sends on the connection.
enum RaceCheck {
    static let checked: Set<String> = ["open", "openat", "openat2", "creat", "connect"]
    static let pathArgs: Set<String> = ["filename", "pathname", "path"]
}

extension TraceSession {
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
                    + "(another thread changed it, or a link led elsewhere); killed")
        return verdict == .killTree ? .killTree : .killProcess
    }
}
