@testable import AgentWatchCore

/// Builds synthetic events and a process table for policy tests.
final class PolicyWorld {
    let table = ProcessTable()
    private var seq: UInt64 = 0
    var mono: UInt64 = 1_000_000_000

    init() {
        spawn(pid: 100, ppid: 1, exe: "/usr/bin/python3", argv: ["python3", "agent.py"])
    }

    func next() -> UInt64 {
        seq += 1
        return seq
    }

    @discardableResult
    func spawn(pid: Int32, ppid: Int32, exe: String, argv: [String], uid: UInt32 = 1000) -> Event {
        let e = Event(seq: next(), mono: mono, wall: 1_700_000_000_000_000_000 + mono, pid: pid, tid: pid,
                      kind: .spawn(Spawn(ppid: ppid, via: ppid == 1 ? "root" : "fork", exe: exe, argv: argv, cwd: "/home/u",
                                         uid: uid, comm: String(exe.split(separator: "/").last ?? ""))))
        table.apply(e)
        return e
    }

    func exec(pid: Int32, exe: String, argv: [String]) -> Event {
        let e = Event(seq: next(), mono: mono, wall: mono, pid: pid, tid: pid,
                      kind: .exec(Exec(exe: exe, path: exe, argv: argv, cwd: "/home/u",
                                       comm: String(exe.split(separator: "/").last ?? ""))))
        table.apply(e)
        return e
    }

    func sys(_ name: String, pid: Int32 = 100, _ args: [Arg], ret: Int64? = nil, out: [Arg] = []) -> Event {
        let exit = ret.map { SyscallExit(ret: $0, out: out) }
        let e = Event(seq: next(), mono: mono, wall: mono, pid: pid, tid: pid,
                      kind: .syscall(Syscall(name: name, nr: 0, arch: .x86_64, args: args, exit: exit)))
        table.apply(e)
        return e
    }

    static func tcp(_ n: Int32, local: String = "10.0.0.5", lport: UInt16 = 40000, remote: String? = nil, rport: UInt16 = 0) -> ArgValue {
        let v6 = local.contains(":")
        let fam: SockAddr.Family = v6 ? .inet6 : .inet
        let info = FdInfo(kind: v6 ? .ipv6 : .ipv4, name: "",
                          local: SockAddr(family: fam, address: local, port: lport, raw: v6 ? 10 : 2),
                          remote: remote.map { SockAddr(family: fam, address: $0, port: rport, raw: v6 ? 10 : 2) },
                          proto: "tcp")
        return .fd(n, info)
    }

    static func inet(_ addr: String, _ port: UInt16) -> ArgValue {
        let v6 = addr.contains(":")
        return .sockaddr(SockAddr(family: v6 ? .inet6 : .inet, address: addr, port: port, raw: v6 ? 10 : 2))
    }

    static func openat(_ path: String, flags: UInt64 = 0, names: [String] = ["O_RDONLY"]) -> [Arg] {
        [Arg("dirfd", .int(-100)), Arg("pathname", .path(path, raw: path)), Arg("flags", .flags(flags, names: names)),
         Arg("mode", .int(0))]
    }
}

func engine(_ yaml: String) -> PolicyEngine {
    PolicyEngine(policies: PolicySet.load(yaml: yaml, file: "test.yaml"))
}

func fired(_ engine: PolicyEngine, _ world: PolicyWorld, _ e: Event) -> [String] {
    engine.evaluate(e, processes: world.table).map(\.rule)
}
