import Glibc

/// A `--since`/`--until` bound: seconds from the start of the trace (compared
/// with `mono`), or a wall-clock instant in ISO-8601 (compared with `wall`).
public enum ReplayTime: Sendable, Equatable {
    case offset(UInt64)
    case wall(UInt64)

    /// `12`, `1.5`, `2026-11-28T16:41:23Z`, `2026-11-28T16:41:23.250+02:00`,
    /// `2026-11-28 16:41:23` (no zone: UTC, as traces are written).
    public init?(_ text: String) {
        if let secs = Double(text), secs >= 0, secs.isFinite {
            self = .offset(UInt64(secs * 1e9))
            return
        }
        guard let ns = Self.parseISO(Array(text.utf8)) else { return nil }
        self = .wall(ns)
    }

    /// The bound, in nanoseconds on its own clock.
    var nanoseconds: UInt64 {
        switch self {
        case .offset(let ns), .wall(let ns): return ns
        }
    }

    /// When the event happened, on the bound's clock.
    func time(of e: Event) -> UInt64 {
        switch self {
        case .offset: return e.mono
        case .wall: return e.wall
        }
    }

    static func parseISO(_ b: [UInt8]) -> UInt64? {
        var i = 0
        func number(_ digits: Int) -> Int? {
            guard i + digits <= b.count else { return nil }
            var v = 0
            for k in i..<(i + digits) {
                guard b[k] >= 48 && b[k] <= 57 else { return nil }
                v = v * 10 + Int(b[k] - 48)
            }
            i += digits
            return v
        }
        func eat(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4), eat(45), let month = number(2), eat(45), let day = number(2) else { return nil }
        var hour = 0, minute = 0, second = 0
        var frac: UInt64 = 0
        if i < b.count {
            guard b[i] == 84 || b[i] == 116 || b[i] == 32 else { return nil }  // T, t or space
            i += 1
            guard let h = number(2), eat(58), let m = number(2) else { return nil }
            hour = h
            minute = m
            if eat(58) {
                guard let s = number(2) else { return nil }
                second = s
                if eat(46) || eat(44) {
                    var scale: UInt64 = 100_000_000
                    var any = false
                    while i < b.count, b[i] >= 48 && b[i] <= 57 {
                        frac += UInt64(b[i] - 48) * scale
                        scale /= 10
                        i += 1
                        any = true
                    }
                    if !any { return nil }
                }
            }
        }
        var zoneOffset = 0
        if i < b.count {
            if eat(90) || eat(122) {  // Z
            } else if b[i] == 43 || b[i] == 45 {  // + or -
                let sign = b[i] == 45 ? -1 : 1
                i += 1
                guard let zh = number(2) else { return nil }
                _ = eat(58)
                guard let zm = number(2) else { return nil }
                zoneOffset = sign * (zh * 3600 + zm * 60)
            } else {
                return nil
            }
        }
        guard i == b.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else { return nil }
        var t = tm()
        t.tm_year = Int32(year - 1900)
        t.tm_mon = Int32(month - 1)
        t.tm_mday = Int32(day)
        t.tm_hour = Int32(hour)
        t.tm_min = Int32(minute)
        t.tm_sec = Int32(second)
        let secs = Int(timegm(&t)) - zoneOffset
        guard secs >= 0 else { return nil }
        return UInt64(secs) * 1_000_000_000 + frac
    }
}
