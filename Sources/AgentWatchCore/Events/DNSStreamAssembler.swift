/// DNS over TCP frames each message with a two-byte length, and a reader may
/// take the length and the body in separate reads (glibc does): the bytes of
/// each connection are joined until a whole message is there.
struct DNSStreamAssembler {
    struct Key: Hashable { let pid: Int32, fd: Int32 }
    private var pending: [Key: [UInt8]] = [:]
    /// Past this a connection is not speaking DNS: its bytes are dropped.
    static let limit = 2 + 65_535

    /// No connection has a message half read.
    var isEmpty: Bool { pending.isEmpty }

    /// Adds what one read returned; the whole messages it completes.
    mutating func append(_ data: [UInt8], pid: Int32, fd: Int32) -> [[UInt8]] {
        let key = Key(pid: pid, fd: fd)
        var buf = (pending.removeValue(forKey: key) ?? []) + data
        var messages: [[UInt8]] = []
        var at = 0
        while buf.count - at >= 2 {
            let len = Int(buf[at]) << 8 | Int(buf[at + 1])
            guard buf.count - at - 2 >= len else { break }
            messages.append(Array(buf[(at + 2)..<(at + 2 + len)]))
            at += 2 + len
        }
        buf.removeFirst(at)
        if !buf.isEmpty && buf.count <= Self.limit { pending[key] = buf }
        return messages
    }

    /// The connection was made anew or closed: what it left half-read is stale.
    mutating func reset(pid: Int32, fd: Int32) { pending[Key(pid: pid, fd: fd)] = nil }

    mutating func forget(pid: Int32) {
        guard !pending.isEmpty else { return }
        pending = pending.filter { $0.key.pid != pid }
    }
}
