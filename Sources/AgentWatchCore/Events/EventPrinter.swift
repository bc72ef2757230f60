/// One human line per event, in strace's style.
public enum EventPrinter {
    public static func line(_ e: Event) -> String {
        let who = "[pid \(e.pid)\(e.tid != e.pid ? "/\(e.tid)" : "")] "
        switch e.kind {
        case .spawn(let s):
            return who + "+++ \(s.via == "root" ? "started" : "\(s.via) of \(s.ppid)"): \(s.exe) +++"
        case .thread(let t):
            return who + "+++ thread of \(t.creator) +++"
        case .exec(let x):
            return who + "+++ exec \(x.exe) \(ArgText.render(.strings(x.argv, truncated: false))) +++"
        case .exit(let x):
            if let s = x.signal { return who + "+++ killed by \(Signals.name(s))\(x.core ? " (core dumped)" : "") +++" }
            return who + "+++ exited with \(x.code ?? 0) +++"
        case .signal(let s):
            return who + "--- \(Signals.name(s.signal))\(s.senderPid.map { " {si_pid=\($0)}" } ?? "") ---"
        case .syscall(let sc):
            return who + syscall(sc)
        }
    }

    static let returnsAddress: Set<String> = ["mmap", "mmap2", "brk", "mremap", "shmat"]

    public static func syscall(_ sc: Syscall) -> String {
        var s = sc.arch == .x86_64 ? "" : "[\(sc.arch.rawValue)] "
        s += sc.name + "(" + sc.args.map { ArgText.render($0.value) }.joined(separator: ", ") + ")"
        guard let x = sc.exit else { return s + " = ?" }
        if let err = x.errno {
            s += " = -1 \(Errno.name(err))"
        } else if returnsAddress.contains(sc.name) {
            s += " = 0x" + String(UInt64(bitPattern: x.ret), radix: 16)
        } else {
            s += " = \(x.ret)"
        }
        if sc.denied { s += " (denied by agentwatch)" }
        if !x.out.isEmpty {
            s += " {" + x.out.map { "\($0.name)=\(ArgText.render($0.value))" }.joined(separator: ", ") + "}"
        }
        return s
    }
}
