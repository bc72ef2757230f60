import Glibc

/// Facts from /proc/PID/{status,stat,loginuid,cmdline,comm}, parsed as bytes:
/// they are read at every spawn and exec, on the stop-to-resume path.
struct ProcStatus {
    var tgid: Int32
    var ppid: Int32
    var uid: UInt32
    var capEffective: UInt64 = 0
    var capPermitted: UInt64 = 0
    var capInheritable: UInt64 = 0

    static func readFile(_ path: String, limit: Int = 65536) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { close(fd) }
        var out = [UInt8](repeating: 0, count: 4096)
        var used = 0
        while used < limit {
            if used == out.count { out += [UInt8](repeating: 0, count: out.count) }
            let n = out.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return -1 }
                return Glibc.read(fd, base + used, raw.count - used)
            }
            if n <= 0 { break }
            used += n
        }
        out.removeSubrange(min(used, out.count)...)
        return out
    }

    /// The value after "Key:" at the start of a line, spaces and tabs skipped.
    static func field(_ b: [UInt8], _ key: StaticString) -> ArraySlice<UInt8>? {
        let k = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        var i = 0
        while i + k.count <= b.count {
            var match = true
            for j in 0..<k.count where b[i + j] != k[j] { match = false; break }
            if match {
                var v = i + k.count
                while v < b.count, b[v] == 32 || b[v] == 9 { v += 1 }
                var e = v
                while e < b.count, b[e] != 10, b[e] != 32, b[e] != 9 { e += 1 }
                return b[v..<e]
            }
            while i < b.count, b[i] != 10 { i += 1 }
            i += 1
        }
        return nil
    }

    static func int(_ s: ArraySlice<UInt8>?) -> Int64? {
        guard let s, !s.isEmpty else { return nil }
        var v: Int64 = 0
        var neg = false
        for (n, c) in s.enumerated() {
            if n == 0 && c == UInt8(ascii: "-") { neg = true; continue }
            guard c >= 48 && c <= 57 else { return nil }
            v = v &* 10 &+ Int64(c - 48)
        }
        return neg ? -v : v
    }

    static func hex(_ s: ArraySlice<UInt8>?) -> UInt64? {
        guard let s, !s.isEmpty else { return nil }
        var v: UInt64 = 0
        for c in s {
            let d: UInt8
            switch c {
            case 48...57: d = c - 48
            case 97...102: d = c - 87
            case 65...70: d = c - 55
            default: return nil
            }
            v = v << 4 | UInt64(d)
        }
        return v
    }

    static func read(_ tid: Int32) -> ProcStatus? {
        guard let b = readFile("/proc/\(tid)/status") else { return nil }
        var s = ProcStatus(tgid: Int32(truncatingIfNeeded: int(field(b, "Tgid:")) ?? Int64(tid)),
                           ppid: Int32(truncatingIfNeeded: int(field(b, "PPid:")) ?? 0),
                           uid: UInt32(truncatingIfNeeded: int(field(b, "Uid:")) ?? 0))
        s.capEffective = hex(field(b, "CapEff:")) ?? 0
        s.capPermitted = hex(field(b, "CapPrm:")) ?? 0
        s.capInheritable = hex(field(b, "CapInh:")) ?? 0
        return s
    }

    /// pgrp, session and tty_nr from /proc/PID/stat (fields 5-7, after the
    /// parenthesized comm), capabilities from status, the audit login uid.
    static func facts(_ pid: Int32, status: ProcStatus? = nil) -> ProcFacts {
        var f = ProcFacts()
        if let b = readFile("/proc/\(pid)/stat"), let close = b.lastIndex(of: UInt8(ascii: ")")) {
            var fields: [ArraySlice<UInt8>] = []
            var i = close + 2
            while i < b.count && fields.count < 5 {
                var e = i
                while e < b.count, b[e] != 32 { e += 1 }
                fields.append(b[i..<e])
                i = e + 1
            }
            if fields.count == 5 {
                f.pgid = Int32(truncatingIfNeeded: int(fields[2]) ?? 0)
                f.sid = Int32(truncatingIfNeeded: int(fields[3]) ?? 0)
                f.tty = Int32(truncatingIfNeeded: int(fields[4]) ?? 0)
            }
        }
        if let s = status ?? read(pid) {
            f.capEffective = s.capEffective
            f.capPermitted = s.capPermitted
            f.capInheritable = s.capInheritable
        }
        if let b = readFile("/proc/\(pid)/loginuid"), let v = int(b[...].prefix { $0 >= 48 && $0 <= 57 }) {
            f.loginuid = v == 4_294_967_295 ? -1 : v
        }
        return f
    }

    static func cmdline(_ pid: Int32) -> [String]? {
        guard let b = readFile("/proc/\(pid)/cmdline", limit: 1 << 20), !b.isEmpty else { return nil }
        var parts = b.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if parts.last == "" { parts.removeLast() }
        return parts
    }

    static func comm(_ pid: Int32) -> String? {
        guard let b = readFile("/proc/\(pid)/comm") else { return nil }
        return String(decoding: b.prefix { $0 != 10 }, as: UTF8.self)
    }
}
