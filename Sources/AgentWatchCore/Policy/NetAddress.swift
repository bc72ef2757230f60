// IP addresses and networks for fd.sip, fd.net and friends. IPv4-mapped IPv6
// addresses compare equal to their IPv4 form so `fd.net = 10.0.0.0/8` also
// catches a dual-stack socket talking to 10.1.2.3.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 or 16 bytes, network order.
    public let bytes: [UInt8]

    public init?(_ text: String) {
        var s = text
        if s.hasPrefix("["), s.hasSuffix("]") { s = String(s.dropFirst().dropLast()) }
        if let pct = s.firstIndex(of: "%") { s = String(s[..<pct]) }
        var v4 = in_addr()
        if inet_pton(AF_INET, s, &v4) == 1 {
            let n = v4.s_addr  // network order in memory
            bytes = withUnsafeBytes(of: n) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, s, &v6) == 1 {
            let raw = withUnsafeBytes(of: v6) { Array($0) }
            if raw[0..<10].allSatisfy({ $0 == 0 }), raw[10] == 0xFF, raw[11] == 0xFF {
                bytes = Array(raw[12..<16])
            } else {
                bytes = raw
            }
            return
        }
        return nil
    }

    public var isV4: Bool { bytes.count == 4 }

    public var description: String {
        if isV4 { return bytes.map(String.init).joined(separator: ".") }
        var v6 = in6_addr()
        withUnsafeMutableBytes(of: &v6) { dst in for i in 0..<16 { dst[i] = bytes[i] } }
        var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        guard inet_ntop(AF_INET6, &v6, &buf, socklen_t(buf.count)) != nil else { return "?" }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let prefix: Int

    /// `10.0.0.0/8`, `fd00::/8`, or a plain address (a host network).
    public init?(_ text: String) {
        if let slash = text.lastIndex(of: "/") {
            guard let a = IPAddress(String(text[..<slash])), let p = Int(text[text.index(after: slash)...]) else {
                return nil
            }
            let maxBits = a.bytes.count * 8
            // An IPv4-mapped network written in IPv6 form keeps its IPv4 bits.
            let prefix = (a.isV4 && text.contains(":")) ? p - 96 : p
            guard prefix >= 0, prefix <= maxBits else { return nil }
            self.address = a
            self.prefix = prefix
        } else {
            guard let a = IPAddress(text) else { return nil }
            address = a
            prefix = a.bytes.count * 8
        }
    }

    public func contains(_ ip: IPAddress) -> Bool {
        guard ip.bytes.count == address.bytes.count else { return false }
        var bits = prefix
        for i in 0..<ip.bytes.count {
            if bits <= 0 { return true }
            let mask: UInt8 = bits >= 8 ? 0xFF : UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if ip.bytes[i] & mask != address.bytes[i] & mask { return false }
            bits -= 8
        }
        return true
    }

    public var description: String { "\(address)/\(prefix)" }
}
