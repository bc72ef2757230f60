// Encodes events as trace lines (JSON Lines, format 1; see docs/trace-format.md).

public struct TraceHeader: Sendable, Equatable {
    public var format: Int = 1
    public var agentwatchVersion: String
    public var host: String
    public var command: [String]
    public var startWall: UInt64
    public var tracerPid: Int32
    /// Resolvers whose DNS answers name addresses (fd.sip.name), so a replay trusts the same ones.
    public var dnsServers: [String] = []
    /// /etc/hosts as it was when tracing started ("IP name" pairs): static names count too.
    public var hosts: [String] = []
    public init(agentwatchVersion: String, host: String, command: [String], startWall: UInt64, tracerPid: Int32,
                dnsServers: [String] = []) {
        self.dnsServers = dnsServers
        self.agentwatchVersion = agentwatchVersion
        self.host = host
        self.command = command
        self.startWall = startWall
        self.tracerPid = tracerPid
    }
}

public enum TraceEncoder {
    public static func header(_ h: TraceHeader, into j: inout JSONBuilder) {
        j.beginObject()
        j.field("agentwatch_trace", h.format)
        j.field("version", h.agentwatchVersion)
        j.field("host", h.host)
        j.field("command", strings: h.command)
        j.field("start_wall", h.startWall)
        j.field("tracer_pid", h.tracerPid)
        if !h.dnsServers.isEmpty { j.field("dns_servers", strings: h.dnsServers) }
        if !h.hosts.isEmpty { j.field("hosts", strings: h.hosts) }
        j.endObject()
        j.newline()
    }

    public static func event(_ e: Event, into j: inout JSONBuilder) {
        j.beginObject()
        j.field("seq", e.seq)
        j.field("mono", e.mono)
        j.field("wall", e.wall)
        j.field("pid", e.pid)
        j.field("tid", e.tid)
        switch e.kind {
        case .spawn(let s):
            j.field("ev", "spawn")
            j.field("ppid", s.ppid)
            j.field("via", s.via)
            j.field("exe", s.exe)
            j.field("argv", strings: s.argv)
            j.field("cwd", s.cwd)
            j.field("uid", s.uid)
            j.field("comm", s.comm)
            facts(s.facts, into: &j)
        case .thread(let t):
            j.field("ev", "thread")
            j.field("creator", t.creator)
        case .exec(let x):
            j.field("ev", "exec")
            j.field("exe", x.exe)
            j.field("path", x.path)
            j.field("argv", strings: x.argv)
            j.field("cwd", x.cwd)
            j.field("comm", x.comm)
            if let f = x.formerTid { j.field("former_tid", f) }
            facts(x.facts, into: &j)
            if let b = x.binary { j.key("binary"); binary(b, into: &j) }
            if let b = x.script { j.key("script"); binary(b, into: &j) }
        case .exit(let x):
            j.field("ev", "exit")
            if let c = x.code { j.field("code", c) }
            if let s = x.signal { j.field("signal", s); j.field("core", x.core) }
            j.field("process", x.processEnded)
        case .signal(let s):
            j.field("ev", "signal")
            j.field("sig", s.signal)
            if let p = s.senderPid { j.field("sender", p) }
        case .syscall(let sc):
            j.field("ev", "syscall")
            j.field("sc", sc.name)
            j.field("nr", sc.nr)
            if sc.arch != .x86_64 { j.field("arch", sc.arch.rawValue) }
            j.key("args")
            args(sc.args, into: &j)
            if let x = sc.exit {
                j.field("ret", x.ret)
                if let err = x.errno { j.field("errno", Errno.name(err)) }
                if !x.out.isEmpty {
                    j.key("out")
                    args(x.out, into: &j)
                }
            }
            if let xs = sc.exitSeq { j.field("xseq", xs) }
            if sc.unreadable { j.field("unreadable", true) }
            if sc.denied { j.field("denied", true) }
        }
        if let st = e.stack { j.key("stack"); stack(st, into: &j) }
        j.endObject()
        j.newline()
    }

    public static func stack(_ frames: [StackFrame], into j: inout JSONBuilder) {
        j.beginArray()
        for f in frames {
            j.beginObject()
            j.field("pc", "0x" + String(f.pc, radix: 16))
            j.field("module", f.module)
            j.field("module_offset", "0x" + String(f.moduleOffset, radix: 16))
            j.field("symbol", f.symbol)
            j.field("offset", "0x" + String(f.offset, radix: 16))
            if f.nearestExport { j.field("nearest_export", true) }
            j.endObject()
        }
        j.endArray()
    }

    static func binary(_ b: BinaryInfo, into j: inout JSONBuilder) {
        j.beginObject()
        j.field("sha256", b.sha256)
        j.field("format", b.format)
        if !b.machine.isEmpty { j.field("machine", b.machine) }
        if !b.buildId.isEmpty { j.field("build_id", b.buildId) }
        j.field("static", b.isStatic)
        j.field("stripped", b.stripped)
        if !b.interpreter.isEmpty { j.field("interpreter", b.interpreter) }
        j.field("markers", strings: b.markers)
        j.field("size", b.size)
        j.endObject()
    }

    static func facts(_ f: ProcFacts, into j: inout JSONBuilder) {
        if f.tty != 0 { j.field("tty", f.tty) }
        j.field("pgid", f.pgid)
        j.field("sid", f.sid)
        j.field("cap_eff", "0x" + String(f.capEffective, radix: 16))
        j.field("cap_prm", "0x" + String(f.capPermitted, radix: 16))
        j.field("cap_inh", "0x" + String(f.capInheritable, radix: 16))
        j.field("loginuid", f.loginuid)
    }

    static func args(_ list: [Arg], into j: inout JSONBuilder) {
        j.beginObject()
        for a in list {
            j.key(a.name)
            value(a.value, into: &j)
        }
        j.endObject()
    }

    static func value(_ v: ArgValue, into j: inout JSONBuilder) {
        switch v {
        case .int(let i):
            j.int(i)
        case .hex(let h):
            j.beginObject(); j.field("hex", "0x" + String(h, radix: 16)); j.endObject()
        case .str(let s, let truncated):
            if truncated {
                j.beginObject(); j.field("str", s); j.field("truncated", true); j.endObject()
            } else {
                j.string(s)
            }
        case .path(let p, let raw):
            j.beginObject(); j.field("path", p)
            if raw != p { j.field("raw", raw) }
            j.endObject()
        case .bytes(let b, let total):
            j.beginObject(); j.key("data"); j.latin1(b); j.field("len", total); j.endObject()
        case .flags(let raw, let names):
            j.beginObject(); j.field("flags", names.joined(separator: "|")); j.field("raw", raw); j.endObject()
        case .strings(let list, let truncated):
            j.beginObject(); j.field("strv", strings: list)
            if truncated { j.field("truncated", true) }
            j.endObject()
        case .sockaddr(let sa):
            sockaddr(sa, into: &j)
        case .fd(let n, let info):
            j.beginObject()
            j.field("fd", n)
            if let info { fdInfo(info, into: &j) }
            j.endObject()
        case .fds(let list):
            j.beginObject(); j.key("fds"); j.beginArray(); for f in list { j.int(f) }; j.endArray(); j.endObject()
        case .unreadable(let addr):
            j.beginObject(); j.field("unreadable", "0x" + String(addr, radix: 16)); j.endObject()
        case .list(let items):
            j.beginObject(); j.key("list"); j.beginArray(); for i in items { value(i, into: &j) }; j.endArray(); j.endObject()
        }
    }

    static func sockaddr(_ sa: SockAddr, into j: inout JSONBuilder) {
        j.beginObject()
        j.field("family", sa.family.rawValue)
        j.field("addr", sa.address)
        if sa.family == .inet || sa.family == .inet6 || sa.family == .vsock { j.field("port", sa.port) }
        if sa.family == .other { j.field("af", sa.raw) }
        j.endObject()
    }

    static func fdInfo(_ info: FdInfo, into j: inout JSONBuilder) {
        j.field("type", info.kind.rawValue)
        j.field("name", info.name)
        if let p = info.proto { j.field("proto", p) }
        if let l = info.local { j.key("local"); sockaddr(l, into: &j) }
        if let r = info.remote { j.key("remote"); sockaddr(r, into: &j) }
    }
}
