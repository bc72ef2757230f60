import Testing
@testable import AgentWatchCore

/// Every operator, evaluated on real events through the whole pipeline.
@Suite struct PolicyOperatorTests {
    /// True when `cond` matches an openat of /etc/shadow by `cat` (entry).
    func onOpen(_ cond: String, path: String = "/etc/shadow") -> Bool {
        let e = engine("""
        - rule: r
          desc: d
          condition: evt.type = openat and (\(cond))
          output: o
          priority: WARNING
        """)
        let w = PolicyWorld()
        w.spawn(pid: 300, ppid: 100, exe: "/usr/bin/cat", argv: ["cat", path, "-n"])
        let ev = w.sys("openat", pid: 300, PolicyWorld.openat(path, flags: 0o1101, names: ["O_WRONLY", "O_CREAT", "O_TRUNC"]))
        #expect(e.policies.errors.isEmpty, "\(e.policies.errors)")
        return !e.evaluate(ev, processes: w.table).isEmpty
    }

    @Test(arguments: [
        ("fd.name = /etc/shadow", true), ("fd.name == /etc/shadow", true), ("fd.name = /etc/passwd", false),
        ("fd.name != /etc/passwd", true), ("fd.name != /etc/shadow", false),
        ("fd.name contains sha", true), ("fd.name contains SHA", false), ("fd.name icontains SHA", true),
        ("fd.name startswith /etc", true), ("fd.name startswith /usr", false), ("fd.name endswith dow", true),
        ("fd.name glob '/etc/*'", true), ("fd.name glob '/e?c/s*w'", true), ("fd.name glob '/usr/*'", false),
        ("fd.name iglob '/ETC/*'", true),
        ("fd.name pmatch (/etc, /usr)", true), ("fd.name pmatch (/et)", false), ("fd.name pmatch (/etc/shadow)", true),
        ("fd.name in (/etc/passwd, /etc/shadow)", true), ("fd.name in (/etc/passwd)", false),
        ("fd.name intersects (/etc/shadow)", true),
        ("fd.name regex '/etc/sh.*'", true), ("fd.name regex 'sh.*'", false),
        ("fd.name exists", true), ("fd.sip exists", false), ("not fd.sip exists", true),
        ("fd.directory = /etc and fd.filename = shadow", true),
        ("fd.typechar = f and fd.type = file", true),
        ("evt.arg.flags contains O_TRUNC", true), ("evt.arg.flags = O_WRONLY|O_CREAT|O_TRUNC", true),
        ("evt.rawarg.flags = 577", true), ("evt.arg.pathname = /etc/shadow", true), ("evt.arg.name = /etc/shadow", true),
        ("evt.arg[1] = /etc/shadow", true), ("evt.is_open_write = true and evt.is_open_read = false", true),
        ("proc.pid = 300", true), ("proc.pid > 299 and proc.pid < 301 and proc.pid >= 300 and proc.pid <= 300", true),
        ("proc.pid in (1, 2, 300)", true), ("proc.pid < 10", false),
        ("proc.name = cat and proc.pname = python3 and proc.cmdline = 'cat /etc/shadow -n'", true),
        ("proc.args = '/etc/shadow -n'", true), ("proc.aname[1] = python3 and proc.aname[0] = cat", true),
        ("proc.aname = python3", true), ("proc.aname in (bash, python3)", true), ("proc.aname = cat", false),
        ("proc.apid[1] = 100", true), ("proc.exepath = /usr/bin/cat and proc.exe = cat", true),
        ("tolower(fd.name) = /etc/shadow", true), ("toupper(fd.name) = /ETC/SHADOW", true),
        ("basename(fd.name) = shadow", true), ("fd.filename = val(fd.filename)", true),
        ("fd.name = val(proc.exepath)", false),
        ("container.id = host and not container.image.repository exists", true),
        ("container.image.repository != foo", false),  // missing: every comparison is false
        ("proc.pname != python3", false), ("evt.res = SUCCESS", false),
        ("user.uid = 1000", true), ("thread.tid = 300", true), ("evt.dir = >", true),
        ("evt.buffer bcontains 41", false),
    ])
    func operatorOnOpen(_ cond: String, _ expected: Bool) {
        #expect(onOpen(cond) == expected, "\(cond)")
    }

    func onConnect(_ cond: String, to addr: String = "8.8.8.8", port: UInt16 = 443, local: String = "10.0.0.5") -> Bool {
        let e = engine("""
        - rule: r
          desc: d
          condition: evt.type = connect and (\(cond))
          output: o
          priority: WARNING
        """)
        #expect(e.policies.errors.isEmpty, "\(e.policies.errors)")
        let w = PolicyWorld()
        let ev = w.sys("connect", [Arg("sockfd", PolicyWorld.tcp(3, local: local)), Arg("addr", PolicyWorld.inet(addr, port)),
                                   Arg("addrlen", .int(16))])
        return !e.evaluate(ev, processes: w.table).isEmpty
    }

    @Test(arguments: [
        ("fd.sip = 8.8.8.8", true), ("fd.sip = 8.8.4.4", false), ("fd.sport = 443", true), ("fd.rport = 443", true),
        ("fd.cip = 10.0.0.5 and fd.cport = 40000", true), ("fd.lip = 10.0.0.5 and fd.lport = 40000", true),
        ("fd.net = 8.0.0.0/8", true), ("fd.net = 10.0.0.0/8", true), ("fd.snet = 10.0.0.0/8", false),
        ("fd.cnet = 10.0.0.0/8", true), ("fd.snet in (192.168.0.0/16, 8.8.0.0/16)", true),
        ("fd.snet in (\"10.0.0.0/8\", \"172.16.0.0/12\")", false), ("fd.net != \"127.0.0.0/8\"", true),
        ("fd.ip = 8.8.8.8", true), ("fd.ip = 10.0.0.5", true), ("fd.ip = 1.1.1.1", false),
        ("fd.name = 10.0.0.5:40000->8.8.8.8:443", true), ("fd.typechar = 4 and fd.type = ipv4", true),
        ("fd.l4proto = tcp and fd.sockfamily = ip", true), ("fd.num = 3", true), ("evt.arg.addr = 8.8.8.8:443", true),
        ("fd.sport in (80, 443)", true),
    ])
    func networkOperators(_ cond: String, _ expected: Bool) {
        #expect(onConnect(cond) == expected, "\(cond)")
    }

    @Test func ipv6Networks() {
        #expect(onConnect("fd.sip = 2001:db8::1", to: "2001:db8::1", local: "2001:db8::5"))
        #expect(onConnect("fd.snet = 2001:db8::/32", to: "2001:db8::1", local: "2001:db8::5"))
        #expect(!onConnect("fd.snet = 2001:db9::/32", to: "2001:db8::1", local: "2001:db8::5"))
        #expect(onConnect("fd.typechar = 6", to: "::1", local: "::1"))
        // IPv4-mapped addresses compare as IPv4.
        #expect(onConnect("fd.sip = 127.0.0.1", to: "::ffff:127.0.0.1", local: "::ffff:127.0.0.1"))
    }

    @Test func bufferOperators() {
        let e = engine("""
        - rule: r
          desc: d
          condition: evt.type = write and evt.buffer bcontains cafebabe and evt.buffer contains "hi" and fd.sendbytes startswith "hi"
          output: o
          priority: WARNING
        """)
        #expect(e.policies.errors.isEmpty, "\(e.policies.errors)")
        let w = PolicyWorld()
        let ev = w.sys("write", [Arg("fd", .fd(1, FdInfo(kind: .pipe, name: "pipe:[1]"))),
                                 Arg("buf", .bytes(Array("hi".utf8) + [0xCA, 0xFE, 0xBA, 0xBE], total: 6)), Arg("count", .int(6))])
        #expect(fired(e, w, ev) == ["r"])
    }

    @Test func typedOperandErrorsAreReported() {
        let set = PolicySet.load(yaml: """
        - rule: r
          desc: d
          condition: evt.type = connect and fd.sport = https and fd.snet = 10.0.0.0/33
          output: o
          priority: WARNING
        """, file: "t.yaml")
        let msgs = set.errors.map(\.description)
        #expect(msgs.contains { $0.hasPrefix("t.yaml:3:48: error:") && $0.contains("'https' is not a number") }, "\(msgs)")
        #expect(msgs.contains { $0.hasPrefix("t.yaml:3:68: error:") && $0.contains("not an IP address or network") }, "\(msgs)")
    }
}
