import Testing
@testable import AgentWatchCore

// Syscall lines in the writer's own key order are read by TraceLineFastPath,
// everything else by TraceLineDecoder: both must give the same events, and
// the same errors, whatever the line.

@Test func deferredArgumentsMaterializeToWhatWasWritten() throws {
    for seed in 0..<20 {
        var gen = CodecEventGen(rng: CodecRNG(state: UInt64(100 + seed)))
        let events = (0..<150).map { gen.event(seq: UInt64($0 + 1)) }
        let reader = try TraceReader(bytes: codecEncode(nil, events), name: "seed\(seed)")
        reader.decodeSyscalls(only: SyscallDecodeFilter(decoding: { _ in .deferred }))
        var back: [Event] = []
        while let e = try reader.next() { back.append(try e.materialized()) }
        #expect(back.count == events.count)
        for (a, b) in zip(events, back) where a != b {
            Issue.record("seed \(seed) seq \(a.seq):\n  wrote \(a)\n  read  \(b)")
            break
        }
    }
}

/// What the general decoder alone makes of a line: the event, or the error text.
private func general(_ line: String) -> String {
    var bytes = Array(line.utf8)
    return bytes.withUnsafeMutableBufferPointer { b in
        do throws(JSONParseError) {
            switch try TraceLineDecoder.decode(UnsafeBufferPointer(b)) {
            case .event(let e): return "\(e)"
            case .header: return "header"
            case .other(let w): return "other \(w)"
            }
        } catch {
            return "error \(error.message) @\(error.offset)"
        }
    }
}

/// What a reader (fast path first) makes of the same line.
private func viaReader(_ line: String) -> String {
    do {
        let reader = try TraceReader(string: line + "\n", name: "l")
        guard let e = try reader.next() else { return "nothing" }
        return "\(e)"
    } catch {
        return "error \(error.message)"
    }
}

/// Each line reads to the same event through a reader as through the general
/// decoder alone, or fails in both.
private func expectSameReading(_ lines: [String]) {
    for v in lines {
        let g = general(v)
        let r = viaReader(v)
        if g.hasPrefix("error") {
            #expect(r.hasPrefix("error"), "\(v)\n  general: \(g)\n  reader: \(r)")
        } else {
            #expect(g == r, "\(v)")
        }
    }
}

@Test func oddSyscallLinesReadAsTheGeneralDecoderReadsThem() {
    let good = #"{"seq":7,"mono":100,"wall":200,"pid":10,"tid":11,"ev":"syscall","sc":"openat","nr":257,"args":{"filename":{"path":"/x"},"flags":{"flags":"O_RDONLY","raw":0}},"ret":3,"out":{"fd":{"fd":3,"type":"file","name":"/x"}},"xseq":8}"#
    let variants = [
        good,
        good.replacingOccurrences(of: #""seq":7"#, with: #""seq":07"#),
        good.replacingOccurrences(of: #""wall":200"#, with: #""wall":99999999999999999999999"#),
        good.replacingOccurrences(of: #""ret":3"#, with: #""ret":-9223372036854775808"#),
        good.replacingOccurrences(of: #""ret":3"#, with: #""ret":-9223372036854775809"#),
        good.replacingOccurrences(of: #""pid":10"#, with: #""pid":2147483648"#),
        good.replacingOccurrences(of: #""ret":3"#, with: #""ret":3.5"#),
        good.replacingOccurrences(of: #""sc":"openat""#, with: #""sc":"open\u0061t""#),
        good.replacingOccurrences(of: #","xseq":8"#, with: ""),
        good.replacingOccurrences(of: #","xseq":8"#, with: #","xseq":8,"denied":true"#),
        good.replacingOccurrences(of: #""nr":257,"#, with: #""nr":257,"arch":"i386","#),
        good.replacingOccurrences(of: #"}},"ret""#, with: #"},"ret""#),
        good.replacingOccurrences(of: #"{"path":"/x"}"#, with: #"{"path":"/x\"}"#),
        good + "  ",
        good + " x",
        String(good.dropLast()),
        good.replacingOccurrences(of: #""mono":100,"wall":200"#, with: #""wall":200,"mono":100"#),
    ]
    expectSameReading(variants)
}

@Test func oddProcessLinesReadAsTheGeneralDecoderReadsThem() {
    let head = #"{"seq":7,"mono":100,"wall":200,"pid":10,"tid":10,"ev":"#
    let facts = #","tty":34816,"pgid":10,"sid":9,"cap_eff":"0x0","cap_prm":"0x1ff","cap_inh":"0x0","loginuid":-1"#
    let spawn = head + #""spawn","ppid":9,"via":"fork","exe":"/bin/sh","argv":["sh","-c","echo \"hi\""],"cwd":"/w","uid":1000,"comm":"sh""#
    let exec = head + #""exec","exe":"/usr/bin/curl","path":"curl","argv":["curl"],"cwd":"/w","comm":"curl""#
    let lines = [
        spawn + "}", spawn + facts + "}", spawn + facts.replacingOccurrences(of: #""tty":34816,"#, with: "") + "}",
        spawn + #","tty":5}"#, spawn + facts.replacingOccurrences(of: #","loginuid":-1"#, with: "") + "}",
        spawn.replacingOccurrences(of: #""uid":1000"#, with: #""uid":-1"#) + "}",
        spawn.replacingOccurrences(of: #"["sh","-c","echo \"hi\""]"#, with: #"["sh",1]"#) + "}",
        exec + "}", exec + #","former_tid":12"# + facts + "}",
        exec + facts + #","binary":{"sha256":"","format":"elf64","machine":"x86_64","build_id":"","static":false,"stripped":true,"interpreter":"","markers":[],"size":1}}"#,
        exec.replacingOccurrences(of: #""path":"curl","#, with: "") + "}",
        head + #""exit","code":0,"process":true}"#, head + #""exit","signal":9,"core":true,"process":false}"#,
        head + #""exit","signal":9,"process":true}"#, head + #""exit","code":0}"#, head + #""exit","code":0,"process":1}"#,
        head + #""thread","creator":9}"#, head + #""signal","sig":17,"sender":11}"#,
    ]
    expectSameReading(lines)
}
