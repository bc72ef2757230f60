/// What a decoder sees at a stop: raw register arguments and the tracee's memory.
struct DecodeContext {
    let pid: Int32
    let tid: Int32
    let arch: Arch
    /// The six argument registers; i386 values are zero-extended 32-bit.
    var raw: [UInt64]
    let mem: TraceeMemory
    /// How many payload bytes to keep from buffers sent on sockets.
    var payloadLimit: Int
    /// Set when some pointer could not be read.
    var unreadable = false
    /// Descriptors already resolved at this stop (a dirfd is both an argument and a path base).
    private var resolved: [Int32: FdInfo?] = [:]

    /// At the exit stop descriptors may have changed (connected, duplicated).
    mutating func forgetResolved() { resolved.removeAll() }

    /// `expectingSocket`: the syscall takes the descriptor only as a socket (see
    /// FdResolver.resolveExpectingSocket).
    mutating func resolve(_ n: Int32, expectingSocket: Bool = false) -> FdInfo? {
        if let hit = resolved[n] { return hit }
        let info = expectingSocket ? FdResolver.resolveExpectingSocket(pid: pid, fd: n) : FdResolver.resolve(pid: pid, fd: n)
        resolved[n] = info
        return info
    }

    /// The task's working directory, for relative paths.
    let workingDirectory: WorkingDirectory
    /// Which unix sockets lead only into the traced tree (their bytes are not read).
    var treeSockets: TreeSockets?

    /// Whether the bytes a send puts on this descriptor are read: on sockets,
    /// unless the other end stays inside the traced tree. `unresolved` answers
    /// for a descriptor that could not be resolved.
    func readsBytes(_ fd: ArgValue, unresolved: Bool) -> Bool {
        guard case .fd(_, let found) = fd else { return unresolved }
        guard let info = found else { return unresolved }
        return info.isSocket && !(treeSockets?.staysInside(info) ?? false)
    }

    init(pid: Int32, tid: Int32, arch: Arch, raw: [UInt64], payloadLimit: Int, workingDirectory: WorkingDirectory) {
        self.workingDirectory = workingDirectory
        self.pid = pid
        self.tid = tid
        self.arch = arch
        self.raw = raw
        self.mem = TraceeMemory(tid: tid, compat: arch == .i386)
        self.payloadLimit = payloadLimit
    }

    var compat: Bool { arch == .i386 }

    func u(_ i: Int) -> UInt64 { raw[i] }

    /// A signed argument: the kernel reads i386 registers as 32-bit ints.
    func int(_ i: Int) -> Int64 {
        compat ? Int64(Int32(truncatingIfNeeded: raw[i])) : Int64(bitPattern: raw[i])
    }

    func fdNumber(_ i: Int) -> Int32 { Int32(truncatingIfNeeded: raw[i]) }

    mutating func fd(_ i: Int) -> ArgValue {
        let n = fdNumber(i)
        return .fd(n, n >= 0 ? resolve(n) : nil)
    }

    /// A descriptor the syscall takes only as a socket.
    mutating func socketFd(_ i: Int) -> ArgValue {
        let n = fdNumber(i)
        return .fd(n, n >= 0 ? resolve(n, expectingSocket: true) : nil)
    }

    mutating func dirfd(_ i: Int) -> ArgValue {
        let n = fdNumber(i)
        if n == Flags.atFdcwd { return .flags(UInt64(bitPattern: Int64(n)), names: ["AT_FDCWD"]) }
        return fd(i)
    }

    func hex(_ i: Int) -> ArgValue { .hex(raw[i]) }
    func num(_ i: Int) -> ArgValue { .int(int(i)) }

    mutating func string(_ i: Int) -> ArgValue {
        if raw[i] == 0 { return .hex(0) }
        guard let (s, t) = mem.string(raw[i]) else {
            unreadable = true
            return .unreadable(raw[i])
        }
        return .str(s, truncated: t)
    }

    /// A path argument made absolute against `dirfdIndex` (or the cwd).
    mutating func path(_ i: Int, dirfdIndex: Int? = nil) -> ArgValue {
        if raw[i] == 0 { return .hex(0) }
        guard let (s, _) = mem.string(raw[i]) else {
            unreadable = true
            return .unreadable(raw[i])
        }
        return .path(absolute(s, dirfd: dirfdIndex.map { fdNumber($0) } ?? Flags.atFdcwd), raw: s)
    }

    mutating func absolute(_ p: String, dirfd: Int32) -> String {
        if p.hasPrefix("/") { return PathText.normalize(p) }
        let base: String
        if dirfd == Flags.atFdcwd {
            base = workingDirectory.path(tid: tid) ?? "."
        } else {
            base = resolve(dirfd)?.name ?? "<fd \(dirfd)>"
        }
        if p.isEmpty { return base }
        return PathText.normalize(base + "/" + p)
    }

    mutating func sockaddr(ptr: UInt64, len: UInt64) -> ArgValue? {
        if ptr == 0 || len == 0 { return nil }
        let n = Int(min(len, UInt64(SockaddrCodec.maxLength)))
        guard let b = mem.bytes(ptr, n), let sa = SockaddrCodec.decode(b) else {
            unreadable = true
            return .unreadable(ptr)
        }
        return .sockaddr(sa)
    }

    /// A TLS handshake record gets this much even past the payload limit, so the
    /// server name in a long ClientHello is not cut off.
    static let tlsHandshakeLimit = 4096

    mutating func payload(ptr: UInt64, len: UInt64) -> ArgValue {
        let want = Int(min(len, UInt64(payloadLimit)))
        if want == 0 { return .bytes([], total: Int(len)) }
        guard var b = mem.bytes(ptr, want) else {
            unreadable = true
            return .unreadable(ptr)
        }
        if b.count >= 2, b[0] == 0x16, b[1] == 0x03, len > UInt64(b.count), b.count < Self.tlsHandshakeLimit {
            let more = Int(min(len, UInt64(Self.tlsHandshakeLimit))) - b.count
            if let rest = mem.bytes(ptr + UInt64(b.count), more) { b += rest }
        }
        return .bytes(b, total: Int(clamping: len))
    }

    /// The first bytes of an iovec array, up to the payload limit.
    mutating func iovecPayload(ptr: UInt64, count: UInt64) -> ArgValue {
        let ws = mem.wordSize
        let n = Int(min(count, 64))
        guard n > 0 else { return .bytes([], total: 0) }
        guard let raw = mem.bytes(ptr, n * 2 * ws), raw.count == n * 2 * ws else {
            unreadable = true
            return .unreadable(ptr)
        }
        var out: [UInt8] = []
        var total = 0
        for i in 0..<n {
            let base = compat ? UInt64(le32(raw, i * 8)) : le64(raw, i * 16)
            let len = compat ? UInt64(le32(raw, i * 8 + 4)) : le64(raw, i * 16 + 8)
            total += Int(clamping: len)
            if out.count < payloadLimit, len > 0 {
                let take = Int(min(len, UInt64(payloadLimit - out.count)))
                guard let b = mem.bytes(base, take) else {
                    unreadable = true
                    return .unreadable(base)
                }
                out += b
            }
        }
        return .bytes(out, total: total)
    }
}

typealias EntryDecoder = @Sendable (inout DecodeContext) -> [Arg]
/// Decodes what the kernel returned; `ret` is the raw return value (>= 0 here).
typealias ExitDecoder = @Sendable (inout DecodeContext, Int64) -> [Arg]

enum PathText {
    /// Lexical normalization: "//", "/./" and "/x/../" collapse; symlinks are not followed.
    static func normalize(_ p: String) -> String {
        let u = p.utf8
        guard u.first == UInt8(ascii: "/") else { return p }
        // Most paths are already clean: one pass over the bytes decides. A
        // component is unclean when it is empty, "." or ".." (dotfiles are fine).
        var clean = true
        var componentLength = 0
        var dots = 0
        for c in u.dropFirst() {
            if c == UInt8(ascii: "/") {
                if componentLength == 0 || componentLength == dots { clean = false; break }
                componentLength = 0
                dots = 0
            } else {
                componentLength += 1
                if c == UInt8(ascii: "."), dots == componentLength - 1, componentLength <= 2 { dots += 1 }
            }
        }
        if clean, u.count > 1, componentLength == 0 || componentLength == dots { clean = false }
        if clean { return p }
        var parts: [Substring] = []
        for c in p.split(separator: "/", omittingEmptySubsequences: true) {
            if c == "." { continue }
            if c == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(c)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The last non-empty `/`-separated component (trailing slashes skipped), nil
    /// when there is none: what `split(separator: "/").last` gives, without the
    /// array of every component it builds on each event.
    static func lastComponent(_ path: String) -> String? {
        let u = path.utf8
        var end = u.endIndex
        while end > u.startIndex, u[u.index(before: end)] == UInt8(ascii: "/") { end = u.index(before: end) }
        if end == u.startIndex { return nil }
        var start = end
        while start > u.startIndex, u[u.index(before: start)] != UInt8(ascii: "/") { start = u.index(before: start) }
        return String(path[start..<end])
    }
}
