import CPtrace
import Glibc

/// Stacks of stopped threads, symbolized as module + function + offset.
/// Address maps are cached per process and re-read after an exec or a
/// mapping change, or when a pc falls outside every cached mapping.
final class Stacks {
    struct Mapping { let start: UInt64, end: UInt64, offset: UInt64, path: String }
    private var maps: [Int32: [Mapping]] = [:]
    private var stripped: [String: Bool] = [:]
    static let maxFrames = 64

    /// libunwind's cache is flushed before the next unwind, not at every exec:
    /// most execs are never unwound.
    private var unwindCacheStale = false

    func invalidate(pid: Int32) {
        maps[pid] = nil
        unwindCacheStale = true
    }

    func forget(pid: Int32) { maps[pid] = nil }

    func capture(pid: Int32, tid: Int32) -> [StackFrame] {
        if unwindCacheStale {
            cp_unwind_flush()
            unwindCacheStale = false
        }
        var raw = [cp_frame](repeating: cp_frame(), count: Self.maxFrames)
        let n = Int(cp_unwind(tid, &raw, Int32(Self.maxFrames)))
        if n <= 0 { return [] }
        return raw[0..<n].map { f in
            let symbol = withUnsafeBytes(of: f.symbol) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let m = mapping(pid: pid, pc: f.pc)
            let path = m?.path ?? ""
            return StackFrame(pc: f.pc, module: path, moduleOffset: m.map { f.pc - $0.start + $0.offset } ?? 0,
                              symbol: f.has_symbol != 0 ? symbol : "", offset: f.has_symbol != 0 ? f.offset : 0,
                              nearestExport: f.has_symbol != 0 && !path.isEmpty && isStripped(path))
        }
    }

    private func mapping(pid: Int32, pc: UInt64) -> Mapping? {
        if let hit = maps[pid]?.first(where: { pc >= $0.start && pc < $0.end }) { return hit }
        maps[pid] = Self.readMaps(pid)
        return maps[pid]?.first { pc >= $0.start && pc < $0.end }
    }

    private func isStripped(_ path: String) -> Bool {
        if let s = stripped[path] { return s }
        var info = cp_elf_info()
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        var result = false
        if fd >= 0 {
            if cp_elf_inspect(fd, nil, 0, &info) == 0 { result = info.is_elf != 0 && info.stripped != 0 }
            close(fd)
        }
        stripped[path] = result
        return result
    }

    static func readMaps(_ pid: Int32) -> [Mapping] {
        guard let b = ProcStatus.readFile("/proc/\(pid)/maps", limit: 8 << 20) else { return [] }
        var out: [Mapping] = []
        for line in b.split(separator: UInt8(ascii: "\n")) {
            let parts = line.split(separator: UInt8(ascii: " "), maxSplits: 5, omittingEmptySubsequences: true)
            guard parts.count >= 5 else { continue }
            let range = parts[0].split(separator: UInt8(ascii: "-"))
            guard range.count == 2,
                  let start = UInt64(String(decoding: range[0], as: UTF8.self), radix: 16),
                  let end = UInt64(String(decoding: range[1], as: UTF8.self), radix: 16),
                  let off = UInt64(String(decoding: parts[2], as: UTF8.self), radix: 16) else { continue }
            var path = parts.count > 5 ? String(decoding: parts[5], as: UTF8.self) : ""
            while path.first == " " { path.removeFirst() }
            out.append(Mapping(start: start, end: end, offset: off, path: path))
        }
        return out
    }
}
