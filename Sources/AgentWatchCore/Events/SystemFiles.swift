import Glibc

/// Small reads of the local system used by several stages.
public enum SystemFiles {
    /// The target of a symbolic link (a /proc link, usually); nil when unreadable.
    public static func readlink(_ path: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4097)
        let n = buf.withUnsafeMutableBufferPointer { b -> Int in
            guard let base = b.baseAddress else { return -1 }
            return Glibc.readlink(path, base, 4096)
        }
        if n < 0 { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
