import CPtrace
import Glibc

/// Fingerprints executables at exec, cached by (device, inode, mtime, size):
/// a build runs the same compiler hundreds of times and hashes it once.
final class Fingerprinter {
    /// Lowercase: the scan is case-insensitive.
    static let markers = [
        "randomx", "cryptonight", "xmrig", "xmr-stak", "cpuminer", "stratum+tcp", "stratum+ssl", "stratum2+tcp",
        "mining.subscribe", "mining.authorize", "nicehash", "donate-level", "ngrok", "chisel", "cloudflared",
    ]

    struct Key: Hashable {
        let dev: UInt64, ino: UInt64, mtime: Int, mtimeNs: Int, size: Int64

        init(_ st: stat) {
            dev = UInt64(st.st_dev)
            ino = UInt64(st.st_ino)
            mtime = st.st_mtim.tv_sec
            mtimeNs = st.st_mtim.tv_nsec
            size = Int64(st.st_size)
        }
    }
    private var cache: [Key: BinaryInfo] = [:]
    /// Hashing a 30 MB compiler costs more than a hundred stops: only when a
    /// rule or the trace wants the digest.
    let hash: Bool

    init(hash: Bool) { self.hash = hash }

    /// The image a stopped process runs now (works for deleted files and memfds).
    func running(pid: Int32) -> BinaryInfo? { file("/proc/\(pid)/exe") }

    func file(_ path: String) -> BinaryInfo? {
        // A binary seen before is known by its stat alone: no open, no close.
        var st = stat()
        if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, let hit = cache[Key(st)] { return hit }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { close(fd) }
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        let key = Key(st)
        if let hit = cache[key] { return hit }
        var info = cp_elf_info()
        let inspected: Int32 = withCStrings(Self.markers) { list in
            cp_elf_inspect(fd, UnsafePointer(OpaquePointer(list)), Int32(Self.markers.count), &info)
        }
        var hex = ""
        if hash {
            var digest = [UInt8](repeating: 0, count: 32)
            guard cp_sha256_fd(fd, &digest) == 0 else { return nil }
            hex = digest.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        }
        let format = inspected != 0 ? "data" : info.is_elf != 0 ? "elf\(info.elf_class)" : info.is_script != 0 ? "script" : "data"
        let found = Self.markers.enumerated().filter { info.markers & (1 << UInt64($0.offset)) != 0 }.map(\.element)
        let result = BinaryInfo(
            sha256: hex, format: format, machine: info.is_elf != 0 ? Self.machineName(info.machine) : "",
            buildId: Self.text(info.build_id), isStatic: info.is_elf != 0 && info.is_static != 0,
            stripped: info.is_elf != 0 && info.stripped != 0, interpreter: Self.text(info.interp), markers: found,
            size: Int64(st.st_size))
        cache[key] = result
        return result
    }

    static func text<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    }

    static func machineName(_ m: Int32) -> String {
        switch m {
        case 62: return "x86_64"
        case 3: return "i386"
        case 183: return "aarch64"
        case 40: return "arm"
        case 243: return "riscv"
        case 8: return "mips"
        case 21: return "ppc64"
        case 22: return "s390"
        default: return "machine-\(m)"
        }
    }
}
