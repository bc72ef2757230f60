// Keeps each imported process's descriptors and working directory current
// from the calls it makes, so later calls are described like the live tracer
// describes them (it asks /proc; an import can only remember).

extension StraceProcess {
    /// Learns from one decoded call. `raw` is strace's own text, whose -yy
    /// annotations are the best knowledge there is.
    func apply(name: String, raw: [StraceArg], args: [Arg], exit: SyscallExit?) {
        for a in raw { learn(a.value) }
        guard let exit else { return }
        if exit.failed {
            // A non-blocking connect still names the peer.
            if name == "connect", exit.errno == 115, case .fd(let n, let info)? = args.first?.value,
               case .sockaddr(let sa)? = args.first(where: { $0.name == "addr" })?.value {
                fds[n] = StraceDecoder.connected(info, remote: sa)
            }
            return
        }
        for a in exit.out {
            if case .fd(let n, let info?) = a.value { fds[n] = info }
        }
        switch name {
        case "close":
            if case .fd(let n, _)? = args.first?.value { fds[n] = nil }
        case "chdir":
            if case .path(let p, _)? = args.first?.value, p.hasPrefix("/") { cwd = p }
        case "fchdir":
            if case .fd(_, let info?)? = args.first?.value { cwd = info.name }
        case "socketpair":
            if case .fds(let pair)? = exit.out.first?.value {
                for n in pair where fds[n] == nil { fds[n] = FdInfo(kind: .unix, name: "socket:[?]") }
            }
        case "pipe", "pipe2":
            if case .array(let items, _)? = raw.first?.value {
                for item in items {
                    if case .word(let t) = item, let n = Int32(t) { fds[n] = FdInfo(kind: .pipe, name: "pipe:[?]") }
                }
            }
        default:
            break
        }
    }

    /// Every `N<…>` annotation in a value says what descriptor N is right now.
    func learn(_ v: StraceValue) {
        switch v {
        case .annotated(.word(let base), let text):
            if base == "AT_FDCWD" {
                cwd = String(decoding: StraceValueParser.unescape(text), as: UTF8.self)
            } else if let n = Int32(base), n >= 0 {
                fds[n] = better(StraceAnnotation.fdInfo(text), than: n)
            }
        case .array(let items, _):
            for i in items { learn(i) }
        case .structure(let fields, _):
            for f in fields { learn(f.value) }
        case .changed(let a, let b):
            learn(a)
            learn(b)
        case .call(_, let args):
            for a in args { learn(a) }
        default:
            break
        }
    }

    /// The new image after a successful execve.
    func exec(path: String, argv: [String]) {
        exe = path
        self.argv = argv
        comm = String((path.split(separator: "/").last.map(String.init) ?? path).prefix(15))
    }
}
