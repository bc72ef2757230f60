import Glibc

public enum AgentWatchVersion {
    public static let current = "0.1.0"
}

public enum Environment {
    /// The process environment as KEY=VALUE strings, passed to the command unchanged.
    public static var current: [String] {
        var out: [String] = []
        var p = environ
        while let entry = p.pointee {
            out.append(String(cString: entry))
            p += 1
        }
        return out
    }
}

public enum Host {
    public static var name: String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, 255)
        let end = buf.firstIndex(of: 0) ?? buf.count
        return String(decoding: buf[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

