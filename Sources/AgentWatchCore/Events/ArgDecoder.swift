// Decoded syscall arguments as TraceEncoder writes them: a bare number or
// string for the common cases, else an object whose tag key says the case.

enum ArgDecoder {
    static func args(_ c: inout JSONCursor) throws(JSONParseError) -> [Arg] {
        try c.expect(UInt8(ascii: "{"), "'{'")
        var out: [Arg] = []
        out.reserveCapacity(6)
        var first = true
        while let key = try c.nextKey(first: &first) {
            out.append(Arg(c.keyString(key), try value(&c)))
        }
        return out
    }

    static func value(_ c: inout JSONCursor, depth: Int = 0) throws(JSONParseError) -> ArgValue {
        guard let ch = c.peek() else { throw c.unexpected("a value") }
        switch ch {
        case UInt8(ascii: "\""):
            return .str(try c.string(), truncated: false)
        case UInt8(ascii: "{"):
            return try tagged(&c, depth: depth)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .int(try c.int64())
        default:
            throw c.unexpected("an argument value")
        }
    }

    /// The object forms. Fields are gathered first: writers may order keys freely.
    private static func tagged(_ c: inout JSONCursor, depth: Int) throws(JSONParseError) -> ArgValue {
        guard depth < 64 else { throw c.fail("arguments nested too deep") }
        c.skipSpace()
        let start = c.i
        try c.expect(UInt8(ascii: "{"), "'{'")
        var hex: UInt64?, str: String?, truncated = false, path: String?, rawText: String?, rawNumber: UInt64?
        var flagList: [String]?
        var data: [UInt8]?, len: Int?, strv: [String]?, family: String?, addr: String?
        var port: UInt16 = 0, af: Int32?, fd: Int32?, type: String?, name: String?, proto: String?
        var local: SockAddr?, remote: SockAddr?, fds: [Int32]?, unreadable: UInt64?, list: [ArgValue]?
        var first = true
        while let k = try c.nextKey(first: &first) {
            // Keys as packed integers (see JSONKey.packed).
            switch k.packed {
            case 0x7367616c66: flagList = try c.flagNames(split: flagNames)  // flags
            case 0x776172:  // raw: a path's spelling as passed, or the number behind flags
                if c.peek() == UInt8(ascii: "\"") { rawText = try c.string() } else { rawNumber = try c.uint64() }
            case 0x786568: hex = try c.hexString()  // hex
            case 0x68746170: path = try c.string()  // path
            case 0x6466: fd = try c.int32()  // fd
            case 0x65707974: type = try c.string()  // type
            case 0x656d616e: name = try c.string()  // name
            case 0x6f746f7270: proto = try c.string()  // proto
            case 0x6c61636f6c: local = try sockaddrObject(&c)  // local
            case 0x65746f6d6572: remote = try sockaddrObject(&c)  // remote
            case 0x61746164: data = try c.latin1()  // data
            case 0x6e656c: len = try c.int()  // len
            case 0x727473: str = try c.string()  // str
            case 0x76727473: strv = try c.stringArray()  // strv
            case 0x796c696d6166: family = try c.string()  // family
            case 0x72646461: addr = try c.string()  // addr
            case 0x74726f70:  // port
                let p = try c.uint64()
                guard let p16 = UInt16(exactly: p) else { throw c.fail("port out of range") }
                port = p16
            case 0x6661: af = try c.int32()  // af
            case 0x736466:  // fds
                try c.expect(UInt8(ascii: "["), "'['")
                var all: [Int32] = []
                var f = true
                while try c.nextElement(first: &f) { all.append(try c.int32()) }
                fds = all
            case 0x7473696c:  // list
                try c.expect(UInt8(ascii: "["), "'['")
                var items: [ArgValue] = []
                var f = true
                while try c.nextElement(first: &f) { items.append(try value(&c, depth: depth + 1)) }
                list = items
            default:
                if k.matches("truncated") { truncated = try c.bool() }
                else if k.matches("unreadable") { unreadable = try c.hexString() }
                else { try c.skipValue() }
            }
        }
        if let fd {
            guard let type else { return .fd(fd, nil) }
            return .fd(fd, FdInfo(kind: FdInfo.Kind(rawValue: type) ?? .unknown, name: name ?? "",
                                  local: local, remote: remote, proto: proto))
        }
        if let flagList {
            return .flags(rawNumber ?? 0, names: flagList)
        }
        if let path { return .path(path, raw: rawText ?? path) }
        if let hex { return .hex(hex) }
        if let data { return .bytes(data, total: len ?? data.count) }
        if let str { return .str(str, truncated: truncated) }
        if let strv { return .strings(strv, truncated: truncated) }
        if let family { return .sockaddr(sockaddr(family: family, addr: addr, port: port, af: af)) }
        if let fds { return .fds(fds) }
        if let unreadable { return .unreadable(unreadable) }
        if let list { return .list(list) }
        c.i = start
        throw c.fail("argument object of no known kind")
    }

    /// "O_RDONLY|O_CLOEXEC" → names, split on the UTF-8 bytes (cheaper than Character splitting).
    static func flagNames(_ s: String) -> [String] {
        var s = s
        return s.withUTF8 { b in
            if b.isEmpty { return [] }
            var out: [String] = []
            out.reserveCapacity(4)
            var start = 0
            for i in 0...b.count where i == b.count || b[i] == UInt8(ascii: "|") {
                out.append(String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self))
                start = i + 1
            }
            return out
        }
    }

    static let familyNumbers: [SockAddr.Family: Int32] = [
        .inet: 2, .inet6: 10, .unix: 1, .netlink: 16, .packet: 17, .vsock: 40, .unspec: 0,
    ]

    static func sockaddr(family: String, addr: String?, port: UInt16, af: Int32?) -> SockAddr {
        let fam = SockAddr.Family(rawValue: family) ?? .other
        // The writer spells the numeric family only for `other`; the rest are implied.
        let raw = af ?? familyNumbers[fam] ?? -1
        return SockAddr(family: fam, address: addr ?? "", port: port, raw: raw)
    }

    private static func sockaddrObject(_ c: inout JSONCursor) throws(JSONParseError) -> SockAddr {
        guard case .sockaddr(let sa) = try tagged(&c, depth: 1) else { throw c.fail("expected a socket address") }
        return sa
    }
}
