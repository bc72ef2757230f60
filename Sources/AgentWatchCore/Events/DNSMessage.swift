import Glibc

/// The parts of a DNS response agentwatch needs: which name was asked for
/// and which addresses came back (A and AAAA, through CNAME chains).
public struct DNSAnswer: Sendable, Equatable {
    public var question: String
    public var addresses: [String]
}

public enum DNSMessage {
    /// Parses a response; nil for queries and anything malformed.
    public static func answer(_ b: [UInt8]) -> DNSAnswer? {
        guard b.count >= 12 else { return nil }
        let flags = Int(b[2]) << 8 | Int(b[3])
        guard flags & 0x8000 != 0, flags & 0x000F == 0 else { return nil }  // a response, rcode NOERROR
        let qd = Int(b[4]) << 8 | Int(b[5]), an = Int(b[6]) << 8 | Int(b[7])
        guard qd == 1 else { return nil }
        var i = 12
        guard let q = name(b, &i), i + 4 <= b.count else { return nil }
        i += 4
        var addresses: [String] = []
        for _ in 0..<min(an, 64) {
            guard name(b, &i) != nil, i + 10 <= b.count else { return nil }
            let type = Int(b[i]) << 8 | Int(b[i + 1])
            let len = Int(b[i + 8]) << 8 | Int(b[i + 9])
            i += 10
            guard i + len <= b.count else { return nil }
            if type == 1 && len == 4 {
                addresses.append("\(b[i]).\(b[i + 1]).\(b[i + 2]).\(b[i + 3])")
            } else if type == 28 && len == 16 {
                addresses.append(IPText.v6(Array(b[i..<(i + 16)])))
            }
            i += len
        }
        return DNSAnswer(question: q, addresses: addresses)
    }

    /// The name a query asks for; nil for responses and anything malformed. The
    /// two-byte length TCP puts in front of a message is understood.
    public static func query(_ b: [UInt8]) -> String? {
        if b.count >= 14, Int(b[0]) << 8 | Int(b[1]) == b.count - 2, let name = query(Array(b[2...])) { return name }
        guard b.count >= 17 else { return nil }
        let flags = Int(b[2]) << 8 | Int(b[3])
        guard flags & 0xF800 == 0 else { return nil }  // QR = 0 and a standard query
        let qd = Int(b[4]) << 8 | Int(b[5])
        guard qd >= 1 else { return nil }
        var i = 12
        guard let name = name(b, &i), i + 4 <= b.count, !name.isEmpty else { return nil }
        return name
    }

    /// A (possibly compressed) name at `i`; advances `i` past it.
    static func name(_ b: [UInt8], _ i: inout Int) -> String? {
        var labels: [String] = []
        var at = i
        var jumped = false
        var hops = 0
        while true {
            guard at < b.count else { return nil }
            let len = Int(b[at])
            if len == 0 {
                if !jumped { i = at + 1 }
                break
            }
            if len & 0xC0 == 0xC0 {
                guard at + 1 < b.count, hops < 16 else { return nil }
                if !jumped { i = at + 2 }
                at = (len & 0x3F) << 8 | Int(b[at + 1])
                jumped = true
                hops += 1
                continue
            }
            guard len <= 63, at + 1 + len <= b.count else { return nil }
            labels.append(String(decoding: b[(at + 1)...(at + len)], as: UTF8.self).lowercased())
            at += 1 + len
        }
        return labels.joined(separator: ".")
    }
}

enum IPText {
    /// inet_ntop's text, the same the decoders and fields use for IPv6.
    static func v6(_ a: [UInt8]) -> String {
        var addr = in6_addr()
        withUnsafeMutableBytes(of: &addr) { raw in for i in 0..<16 { raw[i] = a[i] } }
        var buf = [CChar](repeating: 0, count: 64)
        _ = buf.withUnsafeMutableBufferPointer { inet_ntop(AF_INET6, &addr, $0.baseAddress, 64) }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Addresses the traced tree itself resolved, by name: filled from responses of
/// trusted resolvers only, so a program cannot name its own traffic by answering
/// itself.
public final class HostnameTable: @unchecked Sendable {
    /// Resolvers whose answers count: "IP" (port 53) or "IP:PORT".
    public private(set) var trusted: Set<String>
    private var names: [String: String] = [:]
    private var order: [String] = []
    static let capacity = 8192

    /// Changes whenever a name is learnt or forgotten, or a resolver trusted:
    /// verdicts that named hosts hold only while it stays the same.
    public private(set) var generation = 0

    public init(trusted: Set<String> = []) { self.trusted = trusted }

    public func trust(_ servers: [String]) {
        trusted.formUnion(servers)
        generation += 1
    }

    public func isTrusted(_ from: SockAddr) -> Bool {
        guard from.family == .inet || from.family == .inet6 else { return false }
        return (from.port == 53 && trusted.contains(from.address)) || trusted.contains(ArgText.endpoint(from))
            || trusted.contains("\(from.address):\(from.port)")
    }

    public func record(_ a: DNSAnswer) {
        generation += 1
        for ip in a.addresses {
            if names[ip] == nil { order.append(ip) }
            names[ip] = a.question
        }
        if order.count > Self.capacity {
            for ip in order.prefix(order.count - Self.capacity) { names[ip] = nil }
            order.removeFirst(order.count - Self.capacity)
        }
    }

    public func name(of ip: String) -> String? { names[ip] }

    /// "IP name" pairs from /etc/hosts text (first name and aliases).
    public static func hostsEntries(_ text: String) -> [String] {
        var out: [String] = []
        for line in text.split(separator: "\n") {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let f = content.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard f.count >= 2 else { continue }
            for name in f.dropFirst() { out.append("\(f[0]) \(name.lowercased())") }
        }
        return out
    }

    /// Takes static entries ("IP name"); the first name given for an address wins.
    public func learnHosts(_ entries: [String]) {
        for e in entries {
            let parts = e.split(separator: " ")
            guard parts.count == 2, names[String(parts[0])] == nil else { continue }
            record(DNSAnswer(question: String(parts[1]), addresses: [String(parts[0])]))
        }
    }

    /// The nameservers of /etc/resolv.conf (and systemd-resolved's stub).
    public static func systemResolvers(_ text: String) -> [String] {
        var out: [String] = []
        for line in text.split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if f.count >= 2, f[0] == "nameserver" { out.append(String(f[1])) }
        }
        return out
    }
}
