// Replay only needs the arguments of syscalls something will read: a rule, a
// sequence step, or the process table. Decoding the rest (close, mmap, …) is
// most of a reader's work on a real trace, so a reader can be told to hand
// those over hollow: name, number, result and sequence numbers kept (the
// engine order needs them), arguments, written-back values and stack left out.

/// Which syscalls a reader decodes in full; the answer is remembered per name.
public final class SyscallDecodeFilter {
    public enum Decoding: Sendable {
        /// Arguments decoded as the line is read.
        case full
        /// Arguments skipped: nobody reads them.
        case hollow
        /// Arguments kept as text, decoded on demand (see DeferredArgs): for
        /// syscalls only the engine reads, which may answer from the text.
        case deferred
    }

    private let decoding: (String) -> Decoding
    private var memo: [String: Decoding] = [:]

    /// `wanted` must say true for every syscall whose arguments anyone may read.
    public convenience init(_ wanted: @escaping (String) -> Bool) {
        self.init(decoding: { wanted($0) ? .full : .hollow })
    }

    public init(decoding: @escaping (String) -> Decoding) {
        self.decoding = decoding
    }

    /// The names seen first, compared before hashing: a trace repeats a few.
    private var recent: [(String, Decoding)] = []

    func decoding(of name: String) -> Decoding {
        for (n, w) in recent where n == name { return w }
        if let known = memo[name] { return known }
        let w = decoding(name)
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
