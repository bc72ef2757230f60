import Glibc

// A trace names a few dozen syscalls millions of times. Each spelling gets a
// small number the first time it is read, so whoever handles many lines can
// keep what it learnt about a syscall in an array instead of comparing names.

final class SyscallNameTable {
    struct Entry {
        let name: String
        let bytes: [UInt8]
        /// Dense from 0, in order of first sight.
        let id: Int
        /// How the reader's filter wants its arguments (filled on first sight).
        var decoding: SyscallDecodeFilter.Decoding?
    }

    private var slots: [Entry?] = Array(repeating: nil, count: 1024)
    private(set) var count = 0
    /// Past this many names (no real trace has them) lines go the general way.
    static let maxNames = 512

    /// The entry for a spelling; nil once the table is full.
    func entry(_ raw: UnsafeBufferPointer<UInt8>, filter: SyscallDecodeFilter?) -> Entry? {
        guard let base = raw.baseAddress, !raw.isEmpty else { return nil }
        var i = Int(truncatingIfNeeded: TextInterner.hash(base, raw.count)) & (slots.count - 1)
        while let e = slots[i] {
            if e.bytes.count == raw.count, e.bytes.withUnsafeBufferPointer({ b in b.baseAddress.map { memcmp($0, base, raw.count) == 0 } ?? false }) {
                return e
            }
            i = (i + 1) & (slots.count - 1)
        }
        guard count < Self.maxNames else { return nil }
        let name = String(decoding: raw, as: UTF8.self)
        let e = Entry(name: name, bytes: Array(raw), id: count, decoding: filter?.decoding(of: name) ?? .full)
        slots[i] = e
        count += 1
        return e
    }
}
