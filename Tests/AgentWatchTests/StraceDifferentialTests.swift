import Foundation
import Testing

/// The same workload under `strace -f` and under agentwatch must show the same
/// programs, argv, opened paths and connect addresses.
@Suite struct StraceDifferentialTests {
    static let workload = [
        "/bin/sh", "-c",
        "cat /etc/hostname >/dev/null; ls / >/dev/null; /usr/bin/python3 -c 'import socket; s=socket.socket(); s.connect_ex((\"127.0.0.1\", 9))'",
    ]

    /// Unquotes one strace string literal starting at `s[i]` (a quote).
    static func literal(_ s: [Character], _ i: inout Int) -> String {
        var out = ""
        i += 1
        while i < s.count, s[i] != "\"" {
            if s[i] == "\\", i + 1 < s.count {
                i += 1
                switch s[i] {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(s[i])
                }
            } else {
                out.append(s[i])
            }
            i += 1
        }
        i += 1
        return out
    }

    struct Seen: Equatable {
        var execs: Set<String> = []
        var opens: Set<String> = []
        var connects: Set<String> = []
    }

    static func parseStrace(_ text: String) -> Seen {
        var seen = Seen()
        for line in text.split(separator: "\n") {
            let l = Array(line)
            guard let paren = line.firstIndex(of: "("), line.contains(" = ") else { continue }
            let name = line[..<paren].split(separator: " ").last.map(String.init) ?? ""
            let failed = line.range(of: #"= -1 "#, options: .regularExpression) != nil
            var i = line.distance(from: line.startIndex, to: paren) + 1
            switch name {
            case "execve" where !failed:
                let path = literal(l, &i)
                while i < l.count, l[i] != "[" { i += 1 }
                var argv: [String] = []
                while i < l.count, l[i] != "]" {
                    if l[i] == "\"" { argv.append(literal(l, &i)) } else { i += 1 }
                }
                seen.execs.insert(path + " " + argv.joined(separator: " "))
            case "openat" where !failed:
                while i < l.count, l[i] != "\"" { i += 1 }
                seen.opens.insert(literal(l, &i))
            case "connect":
                if let m = line.range(of: #"sin_port=htons\((\d+)\), sin_addr=inet_addr\("([0-9.]+)"\)"#, options: .regularExpression) {
                    let part = line[m]
                    let port = part.split(separator: "(")[1].split(separator: ")")[0]
                    let addr = part.split(separator: "\"")[1]
                    seen.connects.insert("\(addr):\(port)")
                }
            default: break
            }
        }
        return seen
    }

    static func parseOurs(_ r: Harness.Result) -> Seen {
        var seen = Seen()
        for e in r.syscalls("execve") where e.int("ret") == 0 {
            let raw = e.arg("filename")?["raw"] as? String ?? e.path("filename") ?? ""
            let argv = (e.arg("argv")?["strv"] as? [String]) ?? []
            seen.execs.insert(raw + " " + argv.joined(separator: " "))
        }
        for e in r.syscalls("openat") where (e.int("ret") ?? -1) >= 0 {
            seen.opens.insert(e.arg("filename")?["raw"] as? String ?? e.path("filename") ?? "")
        }
        for e in r.syscalls("connect") {
            if let a = e.arg("addr"), a["family"] as? String == "inet" {
                seen.connects.insert("\(a["addr"] as? String ?? ""):\(a["port"] as? Int ?? 0)")
            }
        }
        return seen
    }

    @Test func sameProgramsPathsAndAddressesAsStrace() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/strace.log"
        let (st, _, err) = try Harness.exec("/usr/bin/strace", ["-f", "-qq", "-s", "4096", "-e", "trace=execve,openat,connect",
                                                               "-o", log] + Self.workload)
        #expect(st == 0, "strace failed: \(err)")
        let theirs = Self.parseStrace(try String(contentsOfFile: log, encoding: .utf8))
        let ours = Self.parseOurs(try Harness.run(Self.workload))
        #expect(theirs.execs.count >= 4)
        #expect(theirs.opens.count >= 10)
        #expect(theirs.connects == ["127.0.0.1:9"])
        #expect(ours.execs == theirs.execs)
        #expect(ours.opens == theirs.opens)
        #expect(ours.connects == theirs.connects)
    }
}
