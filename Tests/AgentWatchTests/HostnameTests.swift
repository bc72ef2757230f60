import Foundation
import Glibc
import Testing
@testable import AgentWatchCore

/// Hostnames the agent itself resolved name its connections (fd.sip.name).
@Suite struct HostnameTests {
    /// A client that resolves NAME at the responder (a connected UDP socket, as
    /// glibc does), then connects to the answer on PORT.
    static let client = """
        import socket, struct, sys
        name, dns_port, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        q = b"\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00"
        q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\\x00\\x00\\x01\\x00\\x01"
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.connect(("127.0.0.1", dns_port))
        u.send(q)
        r = u.recv(512)
        ip = socket.inet_ntoa(r[-4:])
        t = socket.socket()
        try:
            t.connect((ip, port)); t.send(b"hello"); print("connected", ip)
        except OSError as e:
            print("refused", e.errno)
        """

    static let rule = """
        - rule: Pool by name
          desc: connect to a host the agent resolved as a pool
          condition: evt.type = connect and fd.sip.name = pool.example.test
          output: "connect to %fd.sip (%fd.sip.name)"
          priority: CRITICAL
          tags: [test]
          action: deny
        """

    static func responder() throws -> (Process, Int) {
        let dir = Harness.tempDir()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [Harness.repo + "/Fixtures/rogue/dns_responder.py", dir + "/port", "30"]
        try p.run()
        for _ in 0..<200 {
            if let s = try? String(contentsOfFile: dir + "/port", encoding: .utf8), let port = Int(s) { return (p, port) }
            usleep(25_000)
        }
        p.terminate()
        throw POSIXError(.ETIMEDOUT)
    }

    @Test func resolvedNameDeniesTheConnect() throws {
        let (dns, dnsPort) = try Self.responder()
        defer { dns.terminate() }
        let l = try Listener()
        defer { l.stop() }
        let r = try Harness.run(["/usr/bin/python3", "-c", Self.client, "pool.example.test", "\(dnsPort)", "\(l.port)"],
                                options: ["--dns-server", "127.0.0.1:\(dnsPort)"], policy: Self.rule)
        #expect(r.stdout == "refused 1\n")
        #expect(r.alerts.first?["output"] as? String == "connect to 127.0.0.1 (pool.example.test)")
        #expect(r.header?["dns_servers"] as? [String] != nil)
        usleep(100_000)
        #expect(l.connections == 0)
    }

    @Test func otherNamesAndUntrustedAnswersDoNotCount() throws {
        let (dns, dnsPort) = try Self.responder()
        defer { dns.terminate() }
        let l = try Listener()
        defer { l.stop() }
        let honest = try Harness.run(["/usr/bin/python3", "-c", Self.client, "api.example.test", "\(dnsPort)", "\(l.port)"],
                                     options: ["--dns-server", "127.0.0.1:\(dnsPort)"], policy: Self.rule)
        #expect(honest.stdout == "connected 127.0.0.1\n")
        #expect(honest.alerts.isEmpty)
        // An answer from a resolver nobody configured could be the agent answering itself.
        let untrusted = try Harness.run(["/usr/bin/python3", "-c", Self.client, "pool.example.test", "\(dnsPort)", "\(l.port)"],
                                        policy: Self.rule)
        #expect(untrusted.stdout == "connected 127.0.0.1\n")
        #expect(untrusted.alerts.isEmpty)
    }

    /// glibc's own resolver over TCP (`options use-vc`, as for answers too big for
    /// UDP): the answer comes back through read(), length and body apart.
    @Test(arguments: [false, true]) func answersReadOverTCPNameTheConnect(trace: Bool) throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cmd = ["unshare", "-rmn", "sh", Harness.repo + "/Fixtures/rogue/dns_tcp_lookup.sh", dir, "pool.example.test", "8080"]
        let r = try Harness.run(cmd, options: ["--dns-server", "127.0.0.1"], trace: trace, policy: Self.rule)
        #expect(r.stdout == "refused 1\n", "\(r.stderr)")
        #expect(r.alerts.first?["output"] as? String == "connect to 127.0.0.1 (pool.example.test)")
        if trace {
            let reads = r.syscalls("read").filter { $0["out"] != nil }
            #expect(reads.count >= 2, "the length and the body were read apart")
            #expect(!r.syscalls("writev").isEmpty, "the query was recorded")
        }
        if trace {
            // Replay learns the name from the recorded reads and raises the same alert.
            let rec = try ReplayRig.record(cmd, policy: Self.rule, options: ["--dns-server", "127.0.0.1"])
            defer { try? FileManager.default.removeItem(atPath: rec.dir) }
            let replayed = try ReplayRig.replay(rec.trace, policy: rec.policy)
            #expect(rec.liveAlerts.count == 1)
            #expect(replayed.alerts == rec.liveAlerts)
        }
        // Without the resolver trusted the same answer names nothing.
        let untrusted = try Harness.run(cmd, trace: false, policy: Self.rule)
        #expect(untrusted.stdout == "connected 127.0.0.1\n", "\(untrusted.stderr)")
    }

    @Test func streamAssemblyJoinsSplitReads() {
        var a = DNSStreamAssembler()
        let m1: [UInt8] = [1, 2, 3], m2: [UInt8] = [9, 8]
        #expect(a.append([0], pid: 1, fd: 3).isEmpty)
        #expect(a.append([3, 1], pid: 1, fd: 3).isEmpty)
        #expect(a.append([2, 3, 0, 2] + m2, pid: 1, fd: 3) == [m1, m2])
        #expect(a.append([0, 3, 1], pid: 1, fd: 4).isEmpty)
        a.reset(pid: 1, fd: 4)
        #expect(a.append([0, 1, 7], pid: 1, fd: 4) == [[7]])
        #expect(a.append([0, 2, 5], pid: 2, fd: 3).isEmpty)
        a.forget(pid: 2)
        #expect(a.append([0, 1, 6], pid: 2, fd: 3) == [[6]])
    }

    @Test func parsesCompressedAnswersAndAAAA() {
        let table = HostnameTable(trusted: ["10.0.0.53"])
        // Response: id, flags 8180, 1 question, 2 answers (A via pointer, AAAA).
        var m: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0]
        m += [4] + Array("pool".utf8) + [7] + Array("example".utf8) + [0, 0, 1, 0, 1]
        m += [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 203, 0, 113, 7]
        m += [0xC0, 0x0C, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16, 0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]
        let a = DNSMessage.answer(m)
        #expect(a?.question == "pool.example")
        #expect(a?.addresses == ["203.0.113.7", "2001:db8::1"])
        #expect(table.isTrusted(SockAddr(family: .inet, address: "10.0.0.53", port: 53, raw: 2)))
        #expect(!table.isTrusted(SockAddr(family: .inet, address: "10.0.0.53", port: 5353, raw: 2)))
        #expect(DNSMessage.answer(Array(m.prefix(20))) == nil)
        #expect(DNSMessage.answer([0, 1, 0x01, 0x00] + Array(m[4...])) == nil)  // a query, not a response
    }
}

@Suite struct HostsFileTests {
    @Test func etcHostsNamesCountAsResolved() throws {
        let hosts = (try? String(contentsOfFile: "/etc/hosts", encoding: .utf8)) ?? ""
        let entries = HostnameTable.hostsEntries(hosts)
        guard let first = entries.first(where: { $0.hasPrefix("127.0.0.1 ") }) else { return }
        let name = String(first.split(separator: " ")[1])
        let l = try Listener()
        defer { l.stop() }
        let policy = """
            - rule: Named loopback
              desc: connect to a host named in /etc/hosts
              condition: evt.type = connect and fd.sip.name = \(name)
              output: "to %fd.sip.name"
              priority: NOTICE
              tags: [test]
            """
        let r = try Harness.run(["/usr/bin/python3", "-c", "import socket; socket.create_connection(('127.0.0.1', \(l.port)))"],
                                policy: policy)
        #expect(r.alerts.first?["output"] as? String == "to \(name)")
        #expect((r.header?["hosts"] as? [String])?.contains(first) == true)
        #expect(HostnameTable.hostsEntries("10.1.2.3 build.internal ci # comment\n# gone 1.1.1.1\n")
                == ["10.1.2.3 build.internal", "10.1.2.3 ci"])
    }
}
