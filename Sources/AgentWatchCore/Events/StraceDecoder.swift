// The conversions every strace syscall decoder shares: strace's printed forms
// into the ArgValues the live decoders make for the same argument.

/// What the importer knows about a process: enough to make paths absolute and
/// to say what a descriptor is when strace ran without -yy.
final class StraceProcess {
    let pid: Int32
    var ppid: Int32
    var exe: String
    var argv: [String]
    /// Unknown until a chdir, a -yy `AT_FDCWD</dir>` or the importer's option says.
    var cwd: String?
    var comm: String
    var uid: UInt32
    var arch: Arch = .x86_64
    var fds: [Int32: FdInfo] = [:]

    /// An annotation, unless it is -y's bare "socket:[ino]" and more is known
    /// about that socket from the calls that made and connected it.
    func better(_ annotated: FdInfo, than fd: Int32) -> FdInfo {
        if annotated.kind == .socket, let known = fds[fd], known.isSocket, known.kind != .socket { return known }
        return annotated
    }

    init(pid: Int32, ppid: Int32, exe: String, argv: [String], cwd: String?, comm: String, uid: UInt32) {
        self.pid = pid
        self.ppid = ppid
        self.exe = exe
        self.argv = argv
        self.cwd = cwd
        self.comm = comm
        self.uid = uid
    }
}

/// One completed (or abandoned) call, ready to become a Syscall.
struct StraceDecoder {
    let name: String
    let args: [StraceArg]
    /// nil when the call never returned.
    let ret: Int64?
    let retAnnotation: String?
    let process: StraceProcess
    var unreadable = false

    init(name: String, args: [StraceArg], ret: Int64?, retAnnotation: String?, process: StraceProcess) {
        self.name = name
        self.args = args
        self.ret = ret
        self.retAnnotation = retAnnotation
        self.process = process
    }

    var succeeded: Bool { if let ret { return ret >= 0 } else { return false } }

    func value(_ i: Int) -> StraceValue? { i < args.count ? args[i].value : nil }

    /// An argument strace prints as `key=value` (clone), by key.
    func named(_ keys: String...) -> StraceValue? {
        for k in keys { if let a = args.first(where: { $0.key == k }) { return a.value } }
        return nil
    }

    // MARK: numbers and constants

    static func integer(_ v: StraceValue?) -> Int64? {
        switch v {
        case .word(let t)?:
            if let n = StraceConstants.number(Substring(t)) { return n }
            if let n = StraceConstants.values[t] { return Int64(bitPattern: n) }
            return nil
        case .annotated(let base, _)?: return integer(base)
        case .changed(_, let after)?: return integer(after)
        case .array(let items, _)? where items.count == 1: return integer(items[0])
        default: return nil
        }
    }

    func num(_ i: Int) -> ArgValue { .int(Self.integer(value(i)) ?? 0) }
    func hex(_ i: Int) -> ArgValue { Self.hex(value(i)) }
    static func hex(_ v: StraceValue?) -> ArgValue { .hex(UInt64(bitPattern: integer(v) ?? 0)) }

    /// Names back to the number, then named again by the live table: both sides
    /// spell flags identically. Names no table knows are kept at the end.
    func flags(_ i: Int, _ naming: (UInt64) -> ArgValue) -> ArgValue { Self.flags(value(i), naming) }

    static func flags(_ v: StraceValue?, _ naming: (UInt64) -> ArgValue) -> ArgValue {
        let text: String
        switch v?.final {
        case .word(let t)?: text = t
        case .annotated(.word(let t), _)?: text = t
        default: return naming(0)
        }
        let (raw, unknown) = StraceConstants.flags(text)
        guard case .flags(let r, let names) = naming(raw) else { return naming(raw) }
        return .flags(r, names: names + unknown)
    }

    // MARK: descriptors and paths

    /// A descriptor, described by its -yy annotation or by what the importer tracked.
    func fd(_ i: Int) -> ArgValue { fd(value(i)) }

    func fd(_ v: StraceValue?) -> ArgValue {
        let n = Int32(truncatingIfNeeded: Self.integer(v) ?? -1)
        if case .annotated(_, let text)? = v { return .fd(n, process.better(StraceAnnotation.fdInfo(text), than: n)) }
        return .fd(n, n >= 0 ? process.fds[n] : nil)
    }

    /// dirfd as the live decoder shows it, and the directory it stands for.
    func dirfd(_ i: Int) -> (ArgValue, base: String?) {
        let v = value(i)
        let n = Int32(truncatingIfNeeded: Self.integer(v) ?? -100)
        if n == Flags.atFdcwd {
            var base = process.cwd
            if case .annotated(_, let text)? = v { base = String(decoding: StraceValueParser.unescape(text), as: UTF8.self) }
            return (.flags(UInt64(bitPattern: Int64(n)), names: ["AT_FDCWD"]), base)
        }
        let f = fd(v)
        if case .fd(_, let info) = f { return (f, info?.name ?? "<fd \(n)>") }
        return (f, nil)
    }

    /// A path argument made absolute against `base` (the dirfd's directory or the cwd).
    mutating func path(_ i: Int, base: String?) -> ArgValue {
        switch value(i) {
        case .string(let b, _)?:
            let raw = String(decoding: b, as: UTF8.self)
            return .path(Self.absolute(raw, base: base), raw: raw)
        case let v?:
            let addr = UInt64(bitPattern: Self.integer(v) ?? 0)
            if addr == 0 { return .hex(0) }
            unreadable = true
            return .unreadable(addr)
        case nil:
            return .hex(0)
        }
    }

    /// Relative paths stay relative when the directory is unknown (no -yy, no chdir seen).
    static func absolute(_ p: String, base: String?) -> String {
        if p.hasPrefix("/") { return PathText.normalize(p) }
        guard let base, base.hasPrefix("/") else { return p }
        if p.isEmpty { return base }
        return PathText.normalize(base + "/" + p)
    }

    /// The process's working directory with the dirfd convention.
    var cwdBase: String? { process.cwd }

    // MARK: strings and buffers

    mutating func string(_ i: Int) -> ArgValue {
        switch value(i) {
        case .string(let b, let t)?: return .str(String(decoding: b, as: UTF8.self), truncated: t)
        case let v?:
            let addr = UInt64(bitPattern: Self.integer(v) ?? 0)
            if addr == 0 { return .hex(0) }
            unreadable = true
            return .unreadable(addr)
        case nil: return .hex(0)
        }
    }

    /// A buffer strace printed (cut at -s bytes); `total` is the length the call passed.
    static func payload(_ v: StraceValue?, total: Int64?) -> ArgValue {
        switch v?.final {
        case .string(let b, _)?: return .bytes(b, total: Int(clamping: total ?? Int64(b.count)))
        case .array(let items, _)?:
            // An iovec array: [{iov_base="GET ", iov_len=4}, …]
            var out: [UInt8] = []
            var sum: Int64 = 0
            for item in items {
                if case .string(let b, _)? = item.field("iov_base") { out += b }
                sum += integer(item.field("iov_len")) ?? 0
            }
            return .bytes(out, total: Int(clamping: total ?? sum))
        default:
            return .bytes([], total: Int(clamping: total ?? 0))
        }
    }

    func strings(_ i: Int) -> ArgValue {
        guard case .array(let items, let more)? = value(i) else { return .hex(UInt64(bitPattern: Self.integer(value(i)) ?? 0)) }
        var list: [String] = []
        var truncated = more
        for item in items {
            if case .string(let b, let t) = item {
                list.append(String(decoding: b, as: UTF8.self))
                truncated = truncated || t
            }
        }
        return .strings(list, truncated: truncated)
    }

    // MARK: socket addresses

    /// `{sa_family=AF_INET, sin_port=htons(4444), sin_addr=inet_addr("127.0.0.1")}` and friends.
    static func sockaddr(_ v: StraceValue?) -> SockAddr? {
        guard let v = v?.final, case .structure(let fields, _) = v else { return nil }
        guard case .word(let famName)? = v.field("sa_family") else { return nil }
        let family = Int32(truncatingIfNeeded: integer(.word(famName)) ?? -1)
        func port(_ key: String) -> UInt16 {
            if case .call(_, let a)? = v.field(key) { return UInt16(truncatingIfNeeded: integer(a.first) ?? 0) }
            return UInt16(truncatingIfNeeded: integer(v.field(key)) ?? 0)
        }
        func text(_ s: StraceValue?) -> String? {
            if case .string(let b, _)? = s { return String(decoding: b, as: UTF8.self) }
            return nil
        }
        switch family {
        case 2:
            var addr = "0.0.0.0"
            if case .call(_, let a)? = v.field("sin_addr"), let t = text(a.first) { addr = t }
            return SockAddr(family: .inet, address: addr, port: port("sin_port"), raw: 2)
        case 10:
            var addr = "::"
            for f in fields where f.key == nil || f.key == "sin6_addr" {
                // inet_pton(AF_INET6, "::1", &sin6_addr)
                if case .call("inet_pton", let a) = f.value, a.count >= 2, let t = text(a[1]) { addr = t }
            }
            return SockAddr(family: .inet6, address: addr, port: port("sin6_port"), raw: 10)
        case 1:
            switch v.field("sun_path") {
            case .string(let b, _)?: return SockAddr(family: .unix, address: String(decoding: b, as: UTF8.self), raw: 1)
            case .abstract(let b)?: return SockAddr(family: .unix, address: "@" + String(decoding: b, as: UTF8.self), raw: 1)
            default: return SockAddr(family: .unix, address: "", raw: 1)
            }
        case 16:
            let pid = integer(v.field("nl_pid")) ?? 0
            let groups = integer(v.field("nl_groups")) ?? 0
            return SockAddr(family: .netlink, address: "pid=\(pid),groups=\(groups)", raw: 16)
        case 17:
            return SockAddr(family: .packet, address: "", raw: 17)
        case 40:
            let cid = integer(v.field("svm_cid")) ?? 0
            return SockAddr(family: .vsock, address: "cid=\(cid)", port: UInt16(truncatingIfNeeded: integer(v.field("svm_port")) ?? 0), raw: 40)
        case 0:
            return SockAddr(family: .unspec, address: "", raw: 0)
        default:
            return SockAddr(family: .other, address: famName, raw: family)
        }
    }

    /// The address argument as the live connect/bind show it: decoded, or the pointer.
    func sockaddrArg(_ i: Int) -> ArgValue {
        if let sa = Self.sockaddr(value(i)) { return .sockaddr(sa) }
        return hex(i)
    }
}
