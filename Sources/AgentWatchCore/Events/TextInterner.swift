import Glibc
import Synchronization

// The argument text of a trace repeats byte for byte (the same open, the same
// connect). Interning it hands every repetition the same array, so a line
// costs no copy, and the same number, so the verdict memo compares numbers
// instead of bytes.

/// Direct-mapped: a slot keeps the last text that hashed to it. A text that
/// lost its slot gets a new number when it comes back; numbers are never
/// reused, so one number always means one text.
final class TextInterner {
    struct Text {
        let bytes: [UInt8]
        /// One number per text, never reused; 0 is the empty text.
        let id: Int
    }

    private var slots: [Text?]
    private let mask: Int
    /// Shared by every interner, so numbers from two traces never meet.
    private static let ids = Atomic<Int>(1)
    /// Longer texts (big payloads) are not kept: they rarely repeat, and the
    /// tables stay under slots × maxLength bytes (32 MB) whatever the trace.
    static let maxLength = 2048

    init(slots: Int = 1 << 14) {
        var n = 1
        while n < slots { n <<= 1 }
        self.slots = Array(repeating: nil, count: n)
        mask = n - 1
    }

    func intern(_ raw: UnsafeBufferPointer<UInt8>) -> Text {
        guard let base = raw.baseAddress, !raw.isEmpty else { return Text(bytes: [], id: 0) }
        guard raw.count <= Self.maxLength else { return fresh(raw) }
        let slot = Int(truncatingIfNeeded: Self.hash(base, raw.count)) & mask
        if let hit = slots[slot], Self.sameBytes(hit.bytes, base, raw.count) { return hit }
        let t = fresh(raw)
        slots[slot] = t
        return t
    }

    /// Whether `bytes` are exactly the `n` bytes at `base`: every table here checks a hit so.
    static func sameBytes(_ bytes: [UInt8], _ base: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        bytes.count == n && bytes.withUnsafeBufferPointer { b in b.baseAddress.map { memcmp($0, base, n) == 0 } ?? (n == 0) }
    }

    private func fresh(_ raw: UnsafeBufferPointer<UInt8>) -> Text {
        Text(bytes: Array(raw), id: Self.ids.wrappingAdd(1, ordering: .relaxed).oldValue)
    }

    /// Every byte counts: argument texts share long prefixes and suffixes.
    /// Two independent lanes, so the multiplications of one word need not wait for the last.
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h = UInt64(n) &* 0x9E37_79B9_7F4A_7C15
        var g: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 16 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            g = (g ^ raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 31
            g ^= g >> 29
            i += 16
        }
        if i + 8 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        h ^= g &* 0x9E37_79B9_7F4A_7C15
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(p[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 29)
    }
}

/// What TraceLineFastPath read of a syscall line's content (everything from
/// "sc" up to xseq), found again by the content's bytes. Direct-mapped like
/// TextInterner; the numbers it keeps stay valid, as interned numbers are
/// never reused.
final class SyscallContentCache {
    struct Content {
        let nameID: Int
        let decoding: SyscallDecodeFilter.Decoding
        let nr: Int32
        let ret: Int64?
        let argsID: Int, outID: Int
        let shapeID: Int
        /// Where args and out sit, from the content's first byte.
        let args: Range<Int>, out: Range<Int>?
    }

    private struct Slot {
        let bytes: [UInt8]
        let content: Content
    }

    private var slots: [Slot?]
    private let mask: Int

    init(slots: Int = 1 << 14) {
        var n = 1
        while n < slots { n <<= 1 }
        self.slots = Array(repeating: nil, count: n)
        mask = n - 1
    }

    func lookup(_ raw: UnsafeBufferPointer<UInt8>) -> Content? {
        guard let base = raw.baseAddress, !raw.isEmpty, raw.count <= TextInterner.maxLength else { return nil }
        let slot = Int(truncatingIfNeeded: TextInterner.hash(base, raw.count)) & mask
        guard let hit = slots[slot], TextInterner.sameBytes(hit.bytes, base, raw.count) else { return nil }
        return hit.content
    }

    func insert(_ raw: UnsafeBufferPointer<UInt8>, _ c: Content) {
        guard let base = raw.baseAddress, !raw.isEmpty, raw.count <= TextInterner.maxLength else { return }
        let slot = Int(truncatingIfNeeded: TextInterner.hash(base, raw.count)) & mask
        slots[slot] = Slot(bytes: Array(raw), content: c)
    }
}
