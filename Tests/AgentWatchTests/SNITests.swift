import Foundation
import Testing
@testable import AgentWatchCore

/// TLS server names from a real ClientHello (Python's OpenSSL makes one).
@Suite struct SNITests {
    static func clientHello(_ name: String) throws -> [UInt8] {
        let code = """
            import ssl, sys
            ctx = ssl.create_default_context()
            i, o = ssl.MemoryBIO(), ssl.MemoryBIO()
            s = ctx.wrap_bio(i, o, server_hostname=sys.argv[1])
            try: s.do_handshake()
            except ssl.SSLWantReadError: pass
            sys.stdout.write(o.read().hex())
            """
        let (_, out, _) = try Harness.exec("/usr/bin/python3", ["-c", code, name])
        var bytes: [UInt8] = []
        var it = out.makeIterator()
        while let a = it.next(), let b = it.next() { if let v = UInt8(String([a, b]), radix: 16) { bytes.append(v) } }
        return bytes
    }

    @Test func parsesARealClientHello() throws {
        let hello = try Self.clientHello("Pool.SupportXMR.com")
        #expect(hello.count > 200)
        #expect(TLSClientHello.serverName(hello) == "pool.supportxmr.com")
        #expect(TLSClientHello.serverName(Array(hello.prefix(60))) == nil)
        #expect(TLSClientHello.serverName(Array("GET / HTTP/1.1\r\n".utf8)) == nil)
    }

    @Test func killsBeforeTheHandshakeLeaves() throws {
        let l = try Listener()
        defer { l.stop() }
        let policy = """
            - rule: TLS to a pool
              desc: a ClientHello naming a mining pool
              condition: evt.type in (write, sendto, sendmsg) and fd.sni = pool.supportxmr.com
              output: "TLS to %fd.sni from %proc.name"
              priority: CRITICAL
              tags: [test]
              action: kill
            """
        let code = """
            import socket, ssl, sys
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3)
            ctx = ssl.create_default_context()
            try: ctx.wrap_socket(s, server_hostname="pool.supportxmr.com")
            except Exception as e: print("handshake ended:", type(e).__name__)
            """
        let r = try Harness.run(["/usr/bin/python3", "-c", code, "\(l.port)"], policy: policy)
        #expect(r.status == 86)
        #expect(r.alerts.first?["output"] as? String == "TLS to pool.supportxmr.com from python3.11"
                || (r.alerts.first?["output"] as? String ?? "").hasPrefix("TLS to pool.supportxmr.com from python3"))
        usleep(100_000)
        #expect(l.bytes == 0)
    }
}
