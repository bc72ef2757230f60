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

    /// A short read ends the file: /proc files are generated whole on the first
    /// read, so waiting for a read of 0 would cost a syscall per file.
    static func readFile(_ path: String, limit: Int = 65536) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { close(fd) }
        var out = [UInt8](repeating: 0, count: min(4096, limit))
        var used = 0
        while used < limit {
            if used == out.count { out += [UInt8](repeating: 0, count: min(out.count, limit - used)) }
            let want = out.count - used
            let n = out.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return -1 }
                return Glibc.read(fd, base + used, want)
            }
            if n <= 0 { break }
            used += n
            if n < want { break }
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

    /// Facts of a process: pgid, session and tty from `stat`, capabilities from
    /// `status` and the login uid when `needs` asks for them; what is not read
    /// keeps its value in `base` (the parent's at a spawn, the old image's at an exec).
    static func facts(_ pid: Int32, needs: ProcFactNeeds = .all, stat: ProcStat?, status: ProcStatus? = nil,
                      base: ProcFacts = ProcFacts()) -> ProcFacts {
        var f = base
        if let stat {
            f.pgid = stat.pgid
            f.sid = stat.sid
            f.tty = stat.tty
        }
        if let s = status ?? (needs.contains(.credentials) ? read(pid) : nil) {
            f.capEffective = s.capEffective
            f.capPermitted = s.capPermitted
            f.capInheritable = s.capInheritable
        }
        if needs.contains(.loginuid), let b = readFile("/proc/\(pid)/loginuid"),
           let v = int(b[...].prefix { $0 >= 48 && $0 <= 57 }) {
            f.loginuid = v == 4_294_967_295 ? -1 : v
        }
        return f
    }

    static func facts(_ pid: Int32) -> ProcFacts { facts(pid, stat: ProcStat.read(pid)) }

    static func cmdline(_ pid: Int32) -> [String]? {
        guard let b = readFile("/proc/\(pid)/cmdline", limit: 1 << 20), !b.isEmpty else { return nil }
        return arguments(b)
    }

    /// NUL-terminated arguments as the kernel lays them out; empty ones kept.
    static func arguments(_ b: [UInt8]) -> [String] {
        var parts = b.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if parts.last == "" { parts.removeLast() }
        return parts
    }

}

/// /proc/PID/stat: the cheap half of what a spawn needs (status costs twice as much).
struct ProcStat {
    var comm: String
    var ppid: Int32
    var pgid: Int32
    var sid: Int32
    var tty: Int32
    /// Where the command line lies in the process's memory (fields 48 and 49; 0 when not asked for or hidden).
    var argStart: UInt64 = 0
    var argEnd: UInt64 = 0

    static func read(_ tid: Int32, argBounds: Bool = false) -> ProcStat? {
        guard let b = ProcStatus.readFile("/proc/\(tid)/stat") else { return nil }
        return parse(b, argBounds: argBounds)
    }

    /// The command line from the process's own memory, where /proc/PID/cmdline
    /// reads it too: at an exec stop that saves opening the file. Nil when the
    /// bounds are unknown, the region does not end its last argument (a process
    /// that rewrote it; cmdline then reads on into the environment), or it
    /// cannot be read whole.
    static func argv(_ pid: Int32, _ s: ProcStat) -> [String]? {
        guard s.argStart != 0, s.argEnd > s.argStart, s.argEnd - s.argStart <= 1 << 20 else { return nil }
        let count = Int(s.argEnd - s.argStart)
        guard let b = TraceeMemory(tid: pid, compat: false).bytes(s.argStart, count), b.count == count, b.last == 0 else {
            return nil
        }
        return ProcStatus.arguments(b)
    }

    /// `pid (comm) state ppid pgrp session tty_nr …`; comm may hold spaces and parentheses.
    static func parse(_ b: [UInt8], argBounds: Bool = false) -> ProcStat? {
        guard let open = b.firstIndex(of: UInt8(ascii: "(")), let close = b.lastIndex(of: UInt8(ascii: ")")),
              open < close else { return nil }
        var fields: [ArraySlice<UInt8>] = []
        var i = close + 2
        // Fields from the state (3rd) on: up to tty_nr (7th), or arg_end (49th).
        let wanted = argBounds ? 47 : 5
        while i < b.count && fields.count < wanted {
            var e = i
            while e < b.count, b[e] != 32 { e += 1 }
            fields.append(b[i..<e])
            i = e + 1
        }
        guard fields.count >= 5 else { return nil }
        func int32(_ s: ArraySlice<UInt8>) -> Int32 { Int32(truncatingIfNeeded: ProcStatus.int(s) ?? 0) }
        var s = ProcStat(comm: String(decoding: b[(open + 1)..<close], as: UTF8.self), ppid: int32(fields[1]),
                         pgid: int32(fields[2]), sid: int32(fields[3]), tty: int32(fields[4]))
        if fields.count == 47 {
            s.argStart = UInt64(clamping: ProcStatus.int(fields[45]) ?? 0)
            s.argEnd = UInt64(clamping: ProcStatus.int(fields[46]) ?? 0)
        }
        return s
    }
}
