import Glibc

/// Small reads of the local system used by several stages.
public enum SystemFiles {
    /// The target of a symbolic link (a /proc link, usually); nil when unreadable.
    public static func readlink(_ path: String) -> String? {
        linkText { Glibc.readlink(path, $0, $1) }
    }

    /// What `read` (a readlink) puts into a buffer of its own, as text: every exec
    /// and every write's descriptor read one, so no arrays are filled and copied.
    public static func linkText(_ read: (UnsafeMutablePointer<CChar>, Int) -> Int) -> String? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buf -> String? in
            guard let base = buf.baseAddress else { return nil }
            let n = base.withMemoryRebound(to: CChar.self, capacity: buf.count) { read($0, buf.count) }
            return n < 0 ? nil : String(decoding: UnsafeBufferPointer(start: base, count: n), as: UTF8.self)
        }
    }
}
