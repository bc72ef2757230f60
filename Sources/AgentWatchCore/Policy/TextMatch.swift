// Byte-level string operations. Falco compares bytes, not grapheme clusters,
// and working on UTF-8 avoids Unicode normalisation on the hot path.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum TextMatch {
    static func contains(_ hay: String, _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        var hay = hay
        return hay.withUTF8 { contains(bytes: $0, needle) }
    }

    static func contains(bytes h: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        let n = needle.count
        if n == 0 { return true }
        if h.count < n { return false }
        let first = needle[0]
        var i = 0
        let last = h.count - n
        while i <= last {
            if h[i] == first {
                var j = 1
                while j < n, h[i + j] == needle[j] { j += 1 }
                if j == n { return true }
            }
            i += 1
        }
        return false
    }

    static func contains(_ h: [UInt8], _ needle: [UInt8]) -> Bool {
        h.withUnsafeBufferPointer { contains(bytes: $0, needle) }
    }

    static func startsWith(_ s: String, _ p: [UInt8]) -> Bool {
        s.utf8.count >= p.count && s.utf8.starts(with: p)
    }

    static func endsWith(_ s: String, _ p: [UInt8]) -> Bool {
        let u = s.utf8
        guard u.count >= p.count else { return false }
        return u.suffix(p.count).elementsEqual(p)
    }

    static func asciiLower(_ s: String) -> [UInt8] {
        s.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
    }

    static func glob(_ pattern: String, _ s: String, caseFold: Bool) -> Bool {
        // FNM_CASEFOLD is a GNU extension the module map does not export.
        fnmatch(pattern, s, caseFold ? Int32(1 << 4) : 0) == 0
    }

    /// `/etc` matches `/etc` and `/etc/x`, not `/etcx`.
    static func pathPrefix(_ s: String, _ prefixes: [[UInt8]]) -> Bool {
        for p in prefixes {
            if startsWith(s, p) {
                if s.utf8.count == p.count { return true }
                let next = s.utf8[s.utf8.index(s.utf8.startIndex, offsetBy: p.count)]
                if next == UInt8(ascii: "/") || p.last == UInt8(ascii: "/") { return true }
            }
        }
        return false
    }

    static func hexBytes(_ s: String) -> [UInt8]? {
        let digits = Array(s.utf8).filter { $0 != UInt8(ascii: " ") }
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < digits.count {
            guard let hi = hexValue(digits[i]), let lo = hexValue(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}

/// A compiled POSIX extended regex; Falco's `regex` is a full match.
final class CompiledRegex: @unchecked Sendable {
    private var re = regex_t()

    init?(_ pattern: String) {
        if regcomp(&re, "^(" + pattern + ")$", REG_EXTENDED | REG_NOSUB) != 0 { return nil }
    }

    deinit { regfree(&re) }

    func matches(_ s: String) -> Bool { regexec(&re, s, 0, nil, 0) == 0 }
}
