/// The server name (SNI) a TLS ClientHello asks for, from the first bytes a
/// program writes to a TCP socket: a pool or tunnel behind port 443 is named
/// here before the handshake completes.
public enum TLSClientHello {
    public static func serverName(_ b: [UInt8]) -> String? {
        // Record: handshake(22), version 3.x, length; handshake: client_hello(1).
        guard b.count >= 9, b[0] == 0x16, b[1] == 0x03, b[5] == 0x01 else { return nil }
        var i = 9
        func u8() -> Int? { guard i < b.count else { return nil }; defer { i += 1 }; return Int(b[i]) }
        func u16() -> Int? { guard i + 1 < b.count else { return nil }; defer { i += 2 }; return Int(b[i]) << 8 | Int(b[i + 1]) }
        func skip(_ n: Int?) -> Bool { guard let n, i + n <= b.count else { return false }; i += n; return true }
        guard skip(2 + 32) else { return nil }          // client_version, random
        guard skip(u8()) else { return nil }            // session_id
        guard skip(u16()) else { return nil }           // cipher_suites
        guard skip(u8()) else { return nil }            // compression_methods
        guard let extLen = u16() else { return nil }
        let end = min(b.count, i + extLen)
        while i + 4 <= end {
            guard let type = u16(), let len = u16() else { return nil }
            if type == 0 {
                // server_name_list: list length, then (type, name length, name)*
                guard u16() != nil, let nameType = u8(), let nameLen = u16(), nameType == 0,
                      i + nameLen <= b.count else { return nil }
                let name = b[i..<(i + nameLen)]
                guard name.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
                return String(decoding: name, as: UTF8.self).lowercased()
            }
            guard skip(len) else { return nil }
        }
        return nil
    }
}
