import Testing
@testable import AgentWatchCore

/// Deterministic randomness: a failing seed reproduces.
struct CodecRNG: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Synthetic events covering every case the encoder can express.
struct CodecEventGen {
    var rng: CodecRNG

    mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
    mutating func bool() -> Bool { Bool.random(using: &rng) }
    mutating func u64() -> UInt64 { rng.next() }
    mutating func i64() -> Int64 { Int64(bitPattern: rng.next()) }
    mutating func pick<T>(_ xs: [T]) -> T { xs[int(0...(xs.count - 1))] }

    static let pieces = ["", "a", "/etc/passwd", "héllo", "日本語", "emoji 🙂", "quote\"", "back\\slash", "tab\t", "nl\n",
                         "cr\r", "nul\u{0}", "del\u{7f}", "ctl\u{1}\u{1f}", "ü/ß", "𝄞", " spaced ", "{\"json\":1}", "|pipe"]

    mutating func string() -> String {
        var s = ""
        for _ in 0..<int(0...4) { s += pick(Self.pieces) }
        return s
    }

    /// Flag names never hold "|" (the writer joins them with it) and are never empty.
    mutating func flagName() -> String { pick(["O_RDONLY", "O_CLOEXEC", "SIGCHLD", "0x40", "PROT_EXEC", "AT_FDCWD", "0644"]) }

    mutating func sockaddr() -> SockAddr {
        switch int(0...7) {
        case 0: return SockAddr(family: .inet, address: "127.0.0.\(int(0...255))", port: UInt16(int(0...65535)), raw: 2)
        case 1: return SockAddr(family: .inet6, address: pick(["::1", "fe80::1", "2001:db8::5"]), port: UInt16(int(0...65535)), raw: 10)
        case 2: return SockAddr(family: .unix, address: pick(["/tmp/s.sock", "@abstract", "", "@nul\u{0}x"]), raw: 1)
        case 3: return SockAddr(family: .netlink, address: "pid=0,groups=0", raw: 16)
        case 4: return SockAddr(family: .packet, address: "", raw: 17)
        case 5: return SockAddr(family: .unspec, address: "", raw: 0)
        case 6: return SockAddr(family: .vsock, address: "cid=3", raw: 40)
        default: return SockAddr(family: .other, address: "AF_ALG", raw: Int32(int(0...50)))
        }
    }

    mutating func fdInfo() -> FdInfo? {
        switch int(0...3) {
        case 0: return nil
        case 1: return FdInfo(kind: .file, name: string())
        case 2: return FdInfo(kind: .ipv4, name: "127.0.0.1:5555->127.0.0.1:4444", local: sockaddr(), remote: sockaddr(), proto: "tcp")
        default:
            return FdInfo(kind: pick([.unix, .pipe, .memfd, .eventpoll, .unknown, .socket]), name: string(),
                          local: bool() ? sockaddr() : nil, remote: bool() ? sockaddr() : nil, proto: bool() ? "unix-stream" : nil)
        }
    }

    mutating func value(depth: Int = 0) -> ArgValue {
        switch int(0...(depth < 2 ? 12 : 11)) {
        case 0: return .int(i64())
        case 1: return .hex(u64())
        case 2: return .str(string(), truncated: bool())
        case 3:
            let p = string()
            return .path("/" + p, raw: bool() ? "/" + p : p)
        case 4:
            let bytes = (0..<int(0...300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            return .bytes(bytes, total: bytes.count + int(0...2) * int(0...10_000))
        case 5: return .flags(u64(), names: (0..<int(0...3)).map { _ in flagName() })
        case 6: return .strings((0..<int(0...4)).map { _ in string() }, truncated: bool())
        case 7: return .sockaddr(sockaddr())
        case 8: return .fd(Int32(truncatingIfNeeded: i64()), fdInfo())
        case 9: return .fds((0..<int(0...3)).map { _ in Int32(int(-1...1000)) })
        case 10: return .unreadable(u64())
        case 11: return .int(Int64(int(-5...5)))
        default: return .list((0..<int(0...3)).map { _ in value(depth: depth + 1) })
        }
    }

    mutating func args() -> [Arg] {
        (0..<int(0...6)).map { i in Arg(pick(["fd", "filename", "flags", "data", "addr", "arg\(i)", "ünï", "x y"]), value()) }
    }

    mutating func facts() -> ProcFacts {
        ProcFacts(tty: bool() ? 0 : Int32(int(1...40000)), pgid: Int32(int(0...99999)), sid: Int32(int(0...99999)),
                  capEffective: u64(), capPermitted: u64(), capInheritable: bool() ? 0 : u64(), loginuid: bool() ? -1 : Int64(int(0...70000)))
    }

    mutating func binary() -> BinaryInfo? {
        guard bool() else { return nil }
        return BinaryInfo(sha256: String(repeating: "ab", count: 32), format: pick(["elf64", "elf32", "script", "data"]),
                          machine: pick(["", "x86_64"]), buildId: pick(["", "0123abcd"]), isStatic: bool(), stripped: bool(),
                          interpreter: pick(["", "/lib64/ld-linux-x86-64.so.2", "/bin/sh"]), markers: bool() ? [] : ["xmrig", string()],
                          size: Int64(int(0...1 << 30)))
    }

    mutating func stack() -> [StackFrame]? {
        guard int(0...3) == 0 else { return nil }
        return (0..<int(0...4)).map { _ in
            StackFrame(pc: u64(), module: pick(["", "/usr/lib/libc.so.6"]), moduleOffset: u64(), symbol: pick(["", "main", string()]),
                       offset: u64(), nearestExport: bool())
        }
    }

    mutating func event(seq: UInt64) -> Event {
        let pid = Int32(int(1...4_000_000))
        let tid = bool() ? pid : Int32(int(1...4_000_000))
        let kind: Event.Kind
        switch int(0...9) {
        case 0:
            kind = .spawn(Spawn(ppid: Int32(int(0...99999)), via: pick(["root", "fork", "vfork", "clone"]), exe: string(),
                                argv: (0..<int(0...4)).map { _ in string() }, cwd: string(), uid: UInt32(int(0...70000)), comm: string(),
                                facts: facts()))
        case 1: kind = .thread(ThreadStart(creator: Int32(int(1...99999))))
        case 2:
            kind = .exec(Exec(exe: string(), path: string(), argv: (0..<int(0...4)).map { _ in string() }, cwd: string(),
                              comm: string(), formerTid: bool() ? Int32(int(1...99999)) : nil, facts: facts(),
                              binary: binary(), script: binary()))
        case 3:
            let signal: Int32? = bool() ? Int32(int(1...64)) : nil
            // The writer records `core` only beside a signal.
            kind = .exit(Exit(code: bool() ? Int32(int(-255...255)) : nil, signal: signal, core: signal != nil && bool(), processEnded: bool()))
        case 4: kind = .signal(SignalDelivery(signal: Int32(int(1...64)), senderPid: bool() ? Int32(int(0...99999)) : nil))
        default:
            let exit: SyscallExit? = bool() ? SyscallExit(ret: bool() ? Int64(int(-4095...100)) : i64(), out: bool() ? args() : []) : nil
            kind = .syscall(Syscall(name: pick(["openat", "connect", "execve", "write", "syscall_999", "mmap"]),
                                    nr: Int32(int(-1...460)), arch: pick([.x86_64, .x86_64, .i386, .x32, .unknown]),
                                    args: args(), exit: exit, exitSeq: bool() ? seq + UInt64(int(1...50)) : nil,
                                    unreadable: bool(), denied: bool()))
        }
        var e = Event(seq: seq, mono: u64(), wall: u64(), pid: pid, tid: tid, kind: kind)
        e.stack = stack()
        return e
    }
}

func codecEncode(_ header: TraceHeader?, _ events: [Event]) -> [UInt8] {
    var j = JSONBuilder()
    if let header { TraceEncoder.header(header, into: &j) }
    for e in events { TraceEncoder.event(e, into: &j) }
    return j.bytes
}

@Test func codecRoundTripsRandomEvents() throws {
    for seed in 0..<40 {
        var gen = CodecEventGen(rng: CodecRNG(state: UInt64(seed)))
        let events = (0..<150).map { gen.event(seq: UInt64($0 + 1)) }
        let header = TraceHeader(agentwatchVersion: "0.1.0", host: "höst", command: ["sh", "-c", "echo \"hi\"\n"],
                                 startWall: gen.u64(), tracerPid: 42, dnsServers: seed % 2 == 0 ? [] : ["127.0.0.53", "::1"])
        let reader = try TraceReader(bytes: codecEncode(header, events), name: "seed\(seed)")
        #expect(reader.header == header)
        let back = try reader.readAll()
        #expect(back.count == events.count)
        for (a, b) in zip(events, back) where a != b {
            Issue.record("seed \(seed) seq \(a.seq):\n  wrote \(a)\n  read  \(b)")
            break
        }
        #expect(reader.warnings.isEmpty)
    }
}

@Test func codecRoundTripsEveryByte() throws {
    let all = (0...255).map { UInt8($0) }
    let e = Event(seq: 1, mono: 0, wall: 0, pid: 1, tid: 1, kind: .syscall(Syscall(
        name: "sendto", nr: 44, arch: .x86_64,
        args: [Arg("fd", .fd(3, FdInfo(kind: .ipv4, name: "a->b", local: SockAddr(family: .inet, address: "127.0.0.1", port: 1, raw: 2),
                                       remote: SockAddr(family: .inet6, address: "::1", port: 4444, raw: 10), proto: "tcp"))),
               Arg("data", .bytes(all, total: 4096)), Arg("data2", .bytes(all.reversed(), total: 256))],
        exit: SyscallExit(ret: 256, out: [Arg("fd", .fd(4, nil))]), exitSeq: 2)))
    let back = try TraceReader(bytes: codecEncode(nil, [e])).readAll()
    #expect(back == [e])
}

@Test func codecReadsTheLiveWritersTrace() throws {
    // A line exactly as `agentwatch run --trace` writes it.
    let text = """
    {"agentwatch_trace":1,"version":"0.1.0","host":"vm","command":["/bin/sh","-c","ls"],"start_wall":1795881050611642098,"tracer_pid":7984}
    {"seq":7,"mono":4468359,"wall":1795881050616364573,"pid":7985,"tid":7985,"ev":"syscall","sc":"openat","nr":257,"args":{"dirfd":{"flags":"AT_FDCWD","raw":18446744073709551516},"filename":{"path":"/etc/ld.so.cache"},"flags":{"flags":"O_RDONLY|O_CLOEXEC","raw":524288}},"ret":3,"out":{"fd":{"fd":3,"type":"file","name":"/etc/ld.so.cache"}},"xseq":8}

    """
    let r = try TraceReader(string: text)
    #expect(r.header?.command == ["/bin/sh", "-c", "ls"])
    let events = try r.readAll()
    #expect(events.count == 1)
    guard case .syscall(let sc)? = events.first?.kind else { Issue.record("not a syscall"); return }
    #expect(sc.arg("dirfd") == .flags(UInt64(bitPattern: -100), names: ["AT_FDCWD"]))
    #expect(sc.arg("filename") == .path("/etc/ld.so.cache", raw: "/etc/ld.so.cache"))
    #expect(sc.exit?.out.first?.value == .fd(3, FdInfo(kind: .file, name: "/etc/ld.so.cache")))
    #expect(sc.exitSeq == 8)
}
