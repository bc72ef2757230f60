import Testing
@testable import AgentWatchCore

/// The engine's socket memos must give exactly what computing afresh gives.
@Suite struct ValueMemoTests {
    static let texts = [
        "127.0.0.1", "10.0.0.2", "93.184.216.34", "169.254.169.254", "::1", "[::1]", "fe80::1%eth0",
        "::ffff:1.2.3.4", "2001:db8::1", "not an ip", "", "1.2.3", "256.1.1.1", "0.0.0.0",
    ]

    @Test func parsedAddressesMatchAFreshParse() {
        // Few slots: colliding texts must replace each other, never answer for each other.
        let memo = IPMemo(slots: 2)
        for _ in 0..<3 {
            for t in Self.texts {
                let e = memo.entry(t)
                #expect(e.ip == IPAddress(t), "\(t)")
                #expect(e.canonical == IPAddress(t)?.description, "\(t)")
            }
        }
    }

    @Test func socketNameFollowsItsInputs() {
        let memo = SocketNameMemo()
        let a = SockAddr(family: .inet, address: "10.0.0.2", port: 40000, raw: 2)
        let b = SockAddr(family: .inet, address: "93.184.216.34", port: 443, raw: 2)
        let c = SockAddr(family: .inet, address: "93.184.216.34", port: 80, raw: 2)
        var made = 0
        func name(_ x: SockAddr?, _ y: SockAddr?) -> String? {
            memo.name(client: x, server: y) {
                made += 1
                var v = FdView()
                v.local = x
                v.remote = y
                return FdNames.socketName(v)
            }
        }
        #expect(name(a, b) == "10.0.0.2:40000->93.184.216.34:443")
        #expect(name(a, b) == "10.0.0.2:40000->93.184.216.34:443")
        #expect(made == 1)
        #expect(name(a, c) == "10.0.0.2:40000->93.184.216.34:80")
        #expect(name(nil, c) == "->93.184.216.34:80")
        #expect(name(nil, nil) == nil)
        #expect(made == 4)
    }

    @Test func cmdlineFollowsExecs() {
        let r = ProcessRecord(pid: 1, ppid: 0, exe: "/usr/bin/python3", argv: ["python3", "a.py"], cwd: "/", comm: "python3",
                              uid: 0, sid: 1, started: 0)
        #expect(r.cmdline == "python3 a.py")
        r.argv = ["nc", "-e", "/bin/sh"]
        #expect(r.cmdline == "python3 -e /bin/sh")
        r.exe = "/usr/bin/nc"
        #expect(r.cmdline == "nc -e /bin/sh")
    }
}

@Suite struct FdSyscallSwitchTests {
    /// The switch forms must say exactly what the sets say.
    @Test func switchesMatchTheSets() {
        var names = Set(SyscallTable.allX86_64Names)
        names.formUnion(FdSyscalls.creating)
        names.formUnion(["", "openatx", "Open"])
        for n in names {
            #expect(FdSyscalls.isCreating(n) == FdSyscalls.creating.contains(n), "\(n)")
            #expect(FdSyscalls.isOpen(n) == FdSyscalls.opens.contains(n), "\(n)")
            #expect(ProcessTable.isReceive(n) == ProcessTable.receives.contains(n), "\(n)")
            // With no DNS-over-TCP answer half read, connect and close need nothing.
            let needed = ProcessTable.stateSyscalls.subtracting(ProcessTable.streamEndingSyscalls).contains(n)
            #expect(ProcessTable().needsArguments(syscall: n) == needed, "\(n)")
        }
    }
}

/// A live run reads a /proc fact only when some loaded rule's field declares it
/// (FieldSpec.reads): a field whose value follows a fact it does not declare
/// would see the parent's value instead, without a word.
@Suite struct ProcFactNeedsTests {
    static func value(_ spec: FieldSpec, uid: UInt32, facts: ProcFacts) -> String {
        let table = ProcessTable()
        table.apply(Event(seq: 1, mono: 1, wall: 1, pid: 50, tid: 50, kind: .spawn(Spawn(
            ppid: 1, via: "root", exe: "/bin/sh", argv: ["sh"], cwd: "/", uid: 0, comm: "sh", facts: ProcFacts(sid: 50)))))
        table.apply(Event(seq: 2, mono: 2, wall: 2, pid: 60, tid: 60, kind: .spawn(Spawn(
            ppid: 50, via: "fork", exe: "/bin/sh", argv: ["sh"], cwd: "/", uid: uid, comm: "sh", facts: facts))))
        let ev = Event(seq: 3, mono: 3, wall: 3, pid: 60, tid: 60, kind: .syscall(Syscall(
            name: "openat", nr: 257, arch: .x86_64, args: PolicyWorld.openat("/tmp/x"))))
        guard case .syscall(let sc) = ev.kind else { return "" }
        let c = EvalContext(event: ev, processes: table, phase: .entry, syscall: sc, name: sc.name)
        return spec.extract(c, nil).map { "\($0)" } ?? "<none>"
    }

    @Test func everyFieldDeclaresTheFactsItReads() {
        let base = ProcFacts(tty: 34816, pgid: 60, sid: 50)
        var creds = base
        creds.capEffective = 1 << 21
        creds.capPermitted = 1 << 12
        creds.capInheritable = 1 << 5
        var login = base
        login.loginuid = 1000
        var terminal = base
        terminal.tty = 34817
        var checked = 0
        for spec in FieldTable.all where spec.arg == .none || spec.arg == .optionalIndex {
            let plain = Self.value(spec, uid: 0, facts: base)
            if Self.value(spec, uid: 1000, facts: creds) != plain {
                #expect(spec.reads.contains(.credentials), "\(spec.name) follows uid or capabilities")
                checked += 1
            }
            if Self.value(spec, uid: 0, facts: terminal) != plain {
                #expect(spec.reads.contains(.terminal), "\(spec.name) follows the terminal")
                checked += 1
            }
            if Self.value(spec, uid: 0, facts: login) != plain {
                #expect(spec.reads.contains(.loginuid), "\(spec.name) follows the login uid")
                checked += 1
            }
        }
        #expect(checked >= 7)
    }

    @Test func rulesAskForWhatTheirFieldsRead() {
        func needs(_ cond: String, output: String = "o") -> ProcFactNeeds {
            let set = PolicySet.load(yaml: """
            - rule: r
              desc: d
              condition: \(cond)
              output: \(output)
              priority: INFO
            """)
            return set.rules.reduce(into: []) { $0.formUnion($1.procFacts) }
        }
        #expect(needs("evt.type = openat and proc.name = sh") == [])
        #expect(needs("evt.type = openat and user.uid = 0") == .credentials)
        #expect(needs("evt.type = openat", output: "l=%user.loginname") == .loginuid)
        #expect(needs("evt.type = openat and proc.tty != 0") == .terminal)
        #expect(needs("evt.type = openat and thread.cap_effective contains CAP_SYS_ADMIN and user.loginuid > 0")
                == [.credentials, .loginuid])
    }
}
