import CPtrace

/// Reads a stopped tracee's memory. Every read may fail (bad pointer, the task
/// died): callers turn a failure into `.unreadable` so policies can fail closed.
struct TraceeMemory {
    let tid: Int32
    /// i386 tasks have 4-byte pointers and longs.
    let compat: Bool

    static let stringLimit = 4096
    static let argvLimit = 4096

    var wordSize: Int { compat ? 4 : 8 }

    func bytes(_ addr: UInt64, _ count: Int) -> [UInt8]? {
        if count == 0 { return [] }
        if addr == 0 { return nil }
        var buf = [UInt8](repeating: 0, count: count)
        let n = buf.withUnsafeMutableBytes { cp_read_mem(tid, addr, $0.baseAddress, count) }
        if n <= 0 { return nil }
        if n < count { buf.removeSubrange(n...) }
        return buf
    }

    /// A C string; nil when unreadable. `truncated` when no NUL came within `limit`.
    func string(_ addr: UInt64, limit: Int = TraceeMemory.stringLimit) -> (String, truncated: Bool)? {
        if addr == 0 { return nil }
        // On the stack: a path is read at nearly every stop.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: limit + 1) { buf in
            var complete: Int32 = 0
            let n = cp_read_string(tid, addr, buf.baseAddress, limit, &complete)
            if n < 0 { return nil }
            let bytes = UnsafeRawBufferPointer(start: buf.baseAddress, count: n)
            return (String(decoding: bytes, as: UTF8.self), complete == 0)
        }
    }

    func word(_ addr: UInt64) -> UInt64? {
        guard let b = bytes(addr, wordSize), b.count == wordSize else { return nil }
        return compat ? UInt64(le32(b, 0)) : le64(b, 0)
    }

    /// A NULL-terminated array of string pointers (argv, envp).
    func stringArray(_ addr: UInt64, limit: Int = TraceeMemory.argvLimit) -> (list: [String], truncated: Bool)? {
        if addr == 0 { return ([], false) }
        var out: [String] = []
        var at = addr
        // Read pointers in blocks to save round trips.
        let block = 64
        while out.count < limit {
            guard let raw = bytes(at, block * wordSize), raw.count >= wordSize else {
                return out.isEmpty ? nil : (out, true)
            }
            let n = raw.count / wordSize
            for i in 0..<n {
                let p = compat ? UInt64(le32(raw, i * 4)) : le64(raw, i * 8)
                if p == 0 { return (out, false) }
                guard let (s, _) = string(p) else { return (out, true) }
                out.append(s)
                if out.count >= limit { return (out, true) }
            }
            at += UInt64(n * wordSize)
        }
        return (out, true)
    }
}

@inline(__always) func le16(_ b: [UInt8], _ o: Int) -> UInt16 {
    UInt16(b[o]) | UInt16(b[o + 1]) << 8
}
@inline(__always) func be16(_ b: [UInt8], _ o: Int) -> UInt16 {
    UInt16(b[o]) << 8 | UInt16(b[o + 1])
}
@inline(__always) func le32(_ b: [UInt8], _ o: Int) -> UInt32 {
    UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
}
@inline(__always) func le64(_ b: [UInt8], _ o: Int) -> UInt64 {
    UInt64(le32(b, o)) | UInt64(le32(b, o + 4)) << 32
}
