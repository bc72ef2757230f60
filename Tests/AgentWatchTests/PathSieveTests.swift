import Foundation
import Testing
@testable import AgentWatchCore

/// The path sieve turns a rule away only when its gate could not hold: the
/// texts it draws from a gate, and the pack's verdicts with and without it.
@Suite struct PathSieveTests {
    /// The sieve texts of the one rule `condition` compiles to, at openat's entry.
    private func texts(_ condition: String) -> [String]? {
        let engine = PolicyEngine(policies: PolicySet.load(yaml: memoRule(condition)))
        let phase = engine.plan(for: "openat").entry
        guard let rule = phase.rules.first else { return ["<no rule>"] }
        return rule.needles.map { $0.map { String(decoding: phase.sieve.texts[$0], as: UTF8.self) } }
    }

    @Test func textsOfAGate() {
        #expect(texts("evt.type = openat and fd.name startswith /etc/ and evt.is_open_read = true") == ["/etc/"])
        #expect(texts("evt.type = openat and (fd.filename in (id_rsa, id_ed25519) or fd.directory endswith /.ssh)")
                == ["id_rsa", "id_ed25519", "/.ssh"])
        // Of two conjuncts the one whose shortest text is longest.
        #expect(texts("evt.type = openat and fd.name contains /. and fd.name endswith /credentials") == ["/credentials"])
        #expect(texts(#"evt.type = openat and fd.name glob "/etc/cron.*/[a-z]*""#) == ["/etc/cron."])
        #expect(texts("evt.type = openat and fd.name pmatch (/var/log/, /srv//)") == ["/var/log", "/srv"])
    }

    @Test func gatesWithoutTexts() {
        for condition in [
            "evt.type = openat and not fd.name startswith /usr",
            "evt.type = openat and fd.name != /etc/passwd",
            #"evt.type = openat and fd.name regex ".*secret""#,
            "evt.type = openat and fd.name icontains SECRET",
            "evt.type = openat and tolower(fd.name) contains /etc",
            "evt.type = openat and (fd.name startswith /etc or evt.is_open_write = true)",
            "evt.type = openat and fd.nameraw startswith /etc",
            // Unicode-canonical equality could match other bytes: only ASCII texts.
            "evt.type = openat and fd.name = /tmp/é",
            "evt.type = openat and fd.name in (/tmp/\u{212A}ey)",
            #"evt.type = openat and fd.name glob "*""#,
        ] {
            #expect(texts(condition) == nil, "\(condition)")
        }
    }

    @Test func literalRunsOfGlobs() {
        #expect(PathSieve.longestLiteral(inGlob: "*.pem") == ".pem")
        #expect(PathSieve.longestLiteral(inGlob: "/etc/ssh/ssh_host_*_key") == "/etc/ssh/ssh_host_")
        #expect(PathSieve.longestLiteral(inGlob: #"a\*bc"#) == "a*bc")
        #expect(PathSieve.longestLiteral(inGlob: "[]x]yz?") == "yz")
        #expect(PathSieve.longestLiteral(inGlob: "[!a]bcd*e") == "bcd")
        #expect(PathSieve.longestLiteral(inGlob: "[abc]") == nil)
        #expect(PathSieve.longestLiteral(inGlob: "ab[cd") == nil)
        #expect(PathSieve.longestLiteral(inGlob: #"ab\"#) == nil)
    }

    @Test func standsAsideForWhatItCannotRead() {
        let etc = SieveIndex([Array("/etc".utf8)])
        #expect(etc.found([.string("/etc/passwd"), .string("/etc"), .string("passwd")]) == [true])
        #expect(etc.found([.string("/usr/lib/x"), nil, nil]) == [false])
        #expect(etc.found([.string("/us\u{212A}/x"), nil, nil]) == nil)
        #expect(etc.found([.many([.string("/etc")]), nil, nil]) == nil)
        // A text never spans two values.
        #expect(SieveIndex([Array("ab".utf8)]).found([.string("xa"), .string("bx"), nil]) == [false])
    }

    /// The two-byte index finds exactly what a plain search finds (texts of
    /// one, two and more bytes, overlapping, at either end of a value).
    @Test func indexFindsWhatASearchFinds() {
        var rng = CodecRNG(state: 11)
        let alphabet = Array("/ab.c".utf8)
        func word(_ n: Int) -> [UInt8] { (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] } }
        for _ in 0..<300 {
            let texts = (0..<Int(1 + rng.next() % 12)).map { _ in word(Int(1 + rng.next() % 4)) }
            let values = (0..<3).map { _ in FieldValue.string(String(decoding: word(Int(rng.next() % 9)), as: UTF8.self)) }
            let expected = texts.map { t in
                values.contains { v in
                    guard case .string(let s) = v else { return false }
                    return TextMatch.contains(Array(s.utf8), t)
                }
            }
            #expect(SieveIndex(texts).found(values) == expected, "\(texts) in \(values)")
        }
    }

    /// Paths built around every text of the pack's open plans (whole, cut,
    /// one byte changed, under other directories, with look-alike Unicode),
    /// opened for reading and for writing: the pack gives the same alerts
    /// with and without the sieve.
    @Test func packVerdictsUnchanged() throws {
        let pack = PolicySet.load(paths: PolicyFiles.expand(Harness.repo + "/Policies"))
        let engine = PolicyEngine(policies: pack)
        var texts = Set<String>()
        for sc in ["open", "openat", "openat2", "creat"] {
            let p = engine.plan(for: sc)
            for phase in [p.entry, p.exit] { texts.formUnion(phase.sieve.texts.map { String(decoding: $0, as: UTF8.self) }) }
        }
        #expect(texts.count > 20)
        var rng = CodecRNG(state: 7)
        var paths = ["/etc/shadow", "/root/.ssh/id_rsa", "/home/agent/.aws/credentials", "/home/agent/.bash_history",
                     "/var/log/auth.log", "/etc/cron.d/job", "/home/agent/.config/systemd/user/x.service",
                     "/usr/lib/python3.11/json/decoder.py", "/work/src/main.c", "/proc/1/mem", "/proc/self/environ"]
        for t in texts.sorted() {
            let cut = String(t.prefix(max(1, t.count - 1)))
            var changed = Array(t.utf8)
            changed[Int(rng.next() % UInt64(changed.count))] ^= 0x01
            let variants = [t, "/home/agent" + t, t + "/x", "/srv/" + t + ".bak", cut, String(decoding: changed, as: UTF8.self),
                            t.replacingOccurrences(of: "k", with: "\u{212A}"), "/root/" + t, "/root/.ssh/" + t]
            paths += variants.map { $0.hasPrefix("/") ? $0 : "/" + $0 }
        }
        var lines = [miniSpawn(1, pid: 100)]
        var seq = 2
        for (i, p) in paths.enumerated() {
            let escaped = p.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            let write = i % 2 == 1
            let flags = write ? #""flags":"O_WRONLY|O_CREAT|O_TRUNC","raw":577"# : #""flags":"O_RDONLY","raw":0"#
            lines.append(memoLine(seq, pid: 100, #""ev":"syscall","sc":"openat","nr":257,"args":{"dirfd":{"flags":"AT_FDCWD","raw":18446744073709551516},"filename":{"path":"\#(escaped)"},"flags":{\#(flags)}},"ret":3,"out":{"fd":{"fd":3,"type":"file","name":"\#(escaped)"}},"xseq":\#(seq + 1)"#))
            seq += 2
        }
        let with = try memoReplay(lines, policies: pack, verdictMemo: false, contentMemo: false, sieve: true)
        let without = try memoReplay(lines, policies: pack, verdictMemo: false, contentMemo: false, sieve: false)
        #expect(with.alerts == without.alerts)
        #expect(with.alerts.count > 20, "\(with.alerts.count) alerts from \(paths.count) opens")
    }
}

extension SieveIndex {
    /// Which texts occur in any of `values`; nil when the sieve stands aside.
    func found(_ values: [FieldValue?]) -> [Bool]? {
        var f = [UInt32](repeating: 0, count: texts.count)
        for v in values { guard mark(v, &f, 1) else { return nil } }
        return f.map { $0 == 1 }
    }
}
