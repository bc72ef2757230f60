// Replay only needs the arguments of syscalls something will read: a rule, a
// sequence step, or the process table. Decoding the rest (close, mmap, …) is
// most of a reader's work on a real trace, so a reader can be told to hand
// those over hollow: name, number, result and sequence numbers kept (the
// engine order needs them), arguments, written-back values and stack left out.

/// Which syscalls a reader decodes in full; the answer is remembered per name.
public final class SyscallDecodeFilter {
    private let wanted: (String) -> Bool
    private var memo: [String: Bool] = [:]

    /// `wanted` must say true for every syscall whose arguments anyone may read.
    public init(_ wanted: @escaping (String) -> Bool) {
        self.wanted = wanted
    }

    /// The names seen first, compared before hashing: a trace repeats a few.
    private var recent: [(String, Bool)] = []

    func wants(_ name: String) -> Bool {
        for (n, w) in recent where n == name { return w }
        if let known = memo[name] { return known }
        let w = wanted(name)
        memo[name] = w
        if recent.count < 12 { recent.append((name, w)) }
        return w
    }
}

extension EventStream {
    /// Default: streams that cannot skip decode everything (the filter is a
    /// permission, never a requirement).
    public func decodeSyscalls(only filter: SyscallDecodeFilter) {}
}
