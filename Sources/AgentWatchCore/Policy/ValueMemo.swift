// Socket fields repeat from event to event (an agent talks to the same few
// peers), yet each event used to parse its addresses' text again (an array
// allocated per parse), print the address back to look its name up, and
// format "client:port->server:port" anew. These memos keep the last results;
// they are keyed on the full input, so a hit is always the value a fresh
// computation would give.

/// Parsed IP addresses by their text, direct-mapped.
final class IPMemo {
    struct Entry {
        let text: String
        /// Nil when the text is no IP address.
        let ip: IPAddress?
        /// The address as `IPAddress.description` prints it (what names are looked up by).
        let canonical: String?
    }

    private var slots: [Entry?]
    private let mask: Int

    init(slots: Int = 64) {
        var n = 1
        while n < slots { n <<= 1 }
        self.slots = Array(repeating: nil, count: n)
        mask = n - 1
    }

    func entry(_ text: String) -> Entry {
        let slot = Self.slot(text) & mask
        if let e = slots[slot], e.text == text { return e }
        let ip = IPAddress(text)
        let e = Entry(text: text, ip: ip, canonical: ip?.description)
        slots[slot] = e
        return e
    }

    /// Cheap and good enough to spread a handful of addresses: length and last bytes.
    private static func slot(_ s: String) -> Int {
        var h = s.utf8.count &* 31
        for b in s.utf8.suffix(3) { h = h &* 131 &+ Int(b) }
        return h
    }
}

/// The Falco-style socket name of the last (client, server) pair seen.
final class SocketNameMemo {
    private var last: (client: SockAddr?, server: SockAddr?, name: String?)?

    func name(client: SockAddr?, server: SockAddr?, _ make: () -> String?) -> String? {
        if let l = last, l.client == client, l.server == server { return l.name }
        let n = make()
        last = (client, server, n)
        return n
    }
}
