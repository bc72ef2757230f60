import Glibc

// Trace lines repeat the same strings endlessly (paths, descriptor names,
// flag and argument names). Handing out one shared String per spelling saves
// the allocation and UTF-8 validation a fresh String costs on every line.

final class StringCache {
    private var slots: [String?]
    private var flagSlots: [(String, [String])?]
    private let mask: Int
    /// Longer strings are rarely repeated byte for byte (payloads, argv).
    static let maxLength = 128

    init(slots: Int = 4096) {
        var n = 1
        while n < slots { n <<= 1 }
        self.slots = Array(repeating: nil, count: n)
        self.flagSlots = Array(repeating: nil, count: n)
        mask = n - 1
    }

    /// "O_RDONLY|O_CLOEXEC" split into names, shared like the strings.
    func flagNames(_ raw: UnsafeBufferPointer<UInt8>, split: (String) -> [String]) -> [String] {
        guard raw.count <= Self.maxLength, let base = raw.baseAddress else { return split(String(decoding: raw, as: UTF8.self)) }
        let slot = Int(truncatingIfNeeded: Self.hash(base, raw.count) >> 7) & mask
        if var hit = flagSlots[slot] {
            let same = hit.0.withUTF8 { u in
                guard u.count == raw.count, let ub = u.baseAddress else { return u.isEmpty && raw.isEmpty }
                return memcmp(ub, base, raw.count) == 0
            }
            if same { return hit.1 }
        }
        let text = String(decoding: raw, as: UTF8.self)
        let names = split(text)
        flagSlots[slot] = (text, names)
        return names
    }

    func string(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        guard raw.count <= Self.maxLength, let base = raw.baseAddress else { return String(decoding: raw, as: UTF8.self) }
        let slot = Int(truncatingIfNeeded: Self.hash(base, raw.count)) & mask
        if var hit = slots[slot] {
            let same = hit.withUTF8 { u in
                guard u.count == raw.count, let ub = u.baseAddress else { return u.isEmpty && raw.isEmpty }
                return memcmp(ub, base, raw.count) == 0
            }
            if same { return hit }
        }
        let s = String(decoding: raw, as: UTF8.self)
        slots[slot] = s
        return s
    }

    /// Length and the first and last eight bytes: enough to spread paths and names.
    private static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h = UInt64(n) &* 0x9E37_79B9_7F4A_7C15
        if n >= 8 {
            h ^= UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
            h = (h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
            h ^= UnsafeRawPointer(p + n - 8).loadUnaligned(as: UInt64.self)
        } else {
            for i in 0..<n { h = (h ^ UInt64(p[i])) &* 0x100_0000_01B3 }
        }
        return (h ^ (h >> 31)) &* 0x94D0_49BB_1331_11EB
    }
}
