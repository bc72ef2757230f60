import Glibc

// A trace names a few dozen syscalls millions of times. Each spelling gets a
// small number the first time it is read, so whoever handles many lines can
// keep what it learnt about a syscall in an array instead of comparing names.

final class SyscallNameTable {
    private struct Slot {
        let bytes: [UInt8]
        let id: Int
    }

    private var slots: [Slot?] = Array(repeating: nil, count: 1024)
    private var names: [String] = []
    private var decodings: [SyscallDecodeFilter.Decoding] = []
    /// Past this many names (no real trace has them) lines go the general way.
    static let maxNames = 512

    /// A spelling's number (dense from 0, in order of first sight) and how the
    /// reader's filter wants its arguments; nil once the table is full.
    func lookup(_ raw: UnsafeBufferPointer<UInt8>, filter: SyscallDecodeFilter?) -> (id: Int, decoding: SyscallDecodeFilter.Decoding)? {
        guard let base = raw.baseAddress, !raw.isEmpty else { return nil }
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: TextInterner.hash(base, raw.count)) & mask
        while let e = slots[i] {
            if TextInterner.sameBytes(e.bytes, base, raw.count) { return (e.id, decodings[e.id]) }
            i = (i + 1) & mask
        }
        guard names.count < Self.maxNames else { return nil }
        let name = String(decoding: raw, as: UTF8.self)
        let id = names.count
        slots[i] = Slot(bytes: Array(raw), id: id)
        names.append(name)
        decodings.append(filter?.decoding(of: name) ?? .full)
        return (id, decodings[id])
    }

    func name(_ id: Int) -> String { names[id] }
}
