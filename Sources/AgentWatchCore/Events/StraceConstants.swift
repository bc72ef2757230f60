// strace prints constants by name; agentwatch events keep the number too and
// name it with the live decoders' own tables. This is the way back from a name
// to its number, built from those same tables so the two never disagree.

enum StraceConstants {
    /// Every constant name the decoders' tables know, plus strace's spellings
    /// that the tables do not use.
    static let values: [String: UInt64] = {
        var m: [String: UInt64] = [:]
        func add(_ t: FlagTable) { for (v, n) in t.bits where m[n] == nil { m[n] = v } }
        func add(_ t: EnumTable) { for (v, n) in t.names where m[n] == nil { m[n] = UInt64(bitPattern: v) } }
        add(Flags.openAccess); add(Flags.open); add(Flags.clone); add(Flags.socketFamily); add(Flags.socketTypeBase)
        add(Flags.ipProto); add(Flags.msg); add(Flags.at); add(Flags.rename); add(Flags.prot); add(Flags.mapType)
        add(Flags.map); add(Flags.fcntlCmd); add(Flags.ptraceRequest); add(Flags.prctlOption); add(Flags.seccompOp)
        add(Flags.seccompFilterFlags); add(Flags.bpfCmd); add(Flags.memfd); add(Flags.moduleInit); add(Flags.ioUringEnter)
        for (i, n) in Signals.names.enumerated() where !n.isEmpty { m[n] = UInt64(i) }
        let extra: [(String, UInt64)] = [
            ("SOCK_NONBLOCK", 0o4000), ("SOCK_CLOEXEC", 0o2000000), ("O_NDELAY", 0o4000), ("O_FSYNC", 0o4010000),
            ("O_RSYNC", 0o4010000), ("MAP_ANON", 0x20), ("MAP_FILE", 0), ("PROT_NONE", 0), ("FD_CLOEXEC", 1),
            ("AT_FDCWD", UInt64(bitPattern: -100)), ("SECCOMP_MODE_STRICT", 1), ("SECCOMP_MODE_FILTER", 2),
            ("SECCOMP_MODE_DISABLED", 0), ("IPPROTO_IPIP", 4), ("IPPROTO_EGP", 8), ("IPPROTO_UDPLITE", 136),
            ("SOCK_PACKET", 10), ("NULL", 0), ("SIGIOT", 6), ("SIGPOLL", 29), ("SIGCLD", 17),
            ("RESOLVE_NO_XDEV", 0x01), ("RESOLVE_NO_MAGICLINKS", 0x02), ("RESOLVE_NO_SYMLINKS", 0x04),
            ("RESOLVE_BENEATH", 0x08), ("RESOLVE_IN_ROOT", 0x10), ("RESOLVE_CACHED", 0x20),
            ("CLONE_NEWTIME", 0x80), ("CLONE_PIDFD", 0x1000),
        ]
        for (n, v) in extra where m[n] == nil { m[n] = v }
        for (n, v) in m where n.hasPrefix("AF_") { m["PF_" + n.dropFirst(3)] = v }
        return m
    }()

    static func signalNumber(_ name: String) -> Int32? {
        if let v = values[name], name.hasPrefix("SIG") { return Int32(v) }
        if name == "SIGRTMIN" { return 34 }
        if name.hasPrefix("SIGRT_"), let n = Int32(name.dropFirst(6)) { return 34 + n }
        if name.hasPrefix("SIGRTMIN+"), let n = Int32(name.dropFirst(9)) { return 34 + n }
        return nil
    }

    /// A number as strace prints it: decimal, 0x hex, 0-prefixed octal, negative.
    static func number(_ text: Substring) -> Int64? {
        var s = text
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() }
        let magnitude: UInt64?
        if s.hasPrefix("0x") || s.hasPrefix("0X") {
            magnitude = UInt64(s.dropFirst(2), radix: 16)
        } else if s.count > 1 && s.first == "0" {
            magnitude = UInt64(s.dropFirst(), radix: 8)
        } else {
            magnitude = UInt64(s)
        }
        guard let m = magnitude else { return nil }
        return negative ? Int64(bitPattern: 0 &- m) : Int64(bitPattern: m)
    }

    /// `O_RDONLY|O_CLOEXEC|0x40000`: the number, and the names no table knew
    /// (kept so nothing strace said is lost).
    static func flags(_ text: String) -> (raw: UInt64, unknown: [String]) {
        var raw: UInt64 = 0
        var unknown: [String] = []
        for part in text.split(separator: "|") {
            let token = part.trimmingCharacters(in: " ")
            if let n = number(Substring(token)) { raw |= UInt64(bitPattern: n); continue }
            if let v = values[token] { raw |= v; continue }
            // "1<<FOO" and other expressions strace may print for odd bits.
            unknown.append(token)
        }
        return (raw, unknown)
    }
}
