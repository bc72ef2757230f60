import Glibc

enum SockaddrCodec {
    static let maxLength = 128

    /// Decodes a struct sockaddr as the kernel would read it (`len` bytes).
    static func decode(_ b: [UInt8]) -> SockAddr? {
        guard b.count >= 2 else { return nil }
        let family = Int32(le16(b, 0))
        switch family {
        case 2 where b.count >= 8:
            return SockAddr(family: .inet, address: "\(b[4]).\(b[5]).\(b[6]).\(b[7])", port: be16(b, 2), raw: family)
        case 10 where b.count >= 24:
            return SockAddr(family: .inet6, address: ipv6Text(Array(b[8..<24])), port: be16(b, 2), raw: family)
        case 1:
            let path = Array(b[2...])
            if path.isEmpty { return SockAddr(family: .unix, address: "", raw: family) }
            if path[0] == 0 {
                // Abstract names are length-delimited and may contain NULs.
                let name = String(decoding: path[1...], as: UTF8.self)
                return SockAddr(family: .unix, address: "@" + name, raw: family)
            }
            let end = path.firstIndex(of: 0) ?? path.count
            return SockAddr(family: .unix, address: String(decoding: path[..<end], as: UTF8.self), raw: family)
        case 16 where b.count >= 12:
            return SockAddr(family: .netlink, address: "pid=\(le32(b, 4)),groups=\(le32(b, 8))", raw: family)
        case 17:
            return SockAddr(family: .packet, address: "", raw: family)
        case 40 where b.count >= 12:
            return SockAddr(family: .vsock, address: "cid=\(le32(b, 8))", port: UInt16(truncatingIfNeeded: le32(b, 4)), raw: family)
        case 0:
            return SockAddr(family: .unspec, address: "", raw: family)
        default:
            return SockAddr(family: .other, address: Flags.socketFamily.name(Int64(family)), raw: family)
        }
    }

    static func ipv6Text(_ a: [UInt8]) -> String { IPText.v6(a) }
}
