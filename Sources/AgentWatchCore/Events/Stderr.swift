import Glibc

/// Unbuffered lines on standard error, safe from any thread.
public enum Stderr {
    public static func line(_ s: String) {
        var bytes = Array(s.utf8)
        bytes.append(10)
        var off = 0
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            while off < raw.count {
                let n = write(2, base + off, raw.count - off)
                if n < 0 { if errno == EINTR { continue }; return }
                off += n
            }
        }
    }
}
