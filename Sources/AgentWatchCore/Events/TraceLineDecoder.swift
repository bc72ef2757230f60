// The inverse of TraceEncoder: one trace line (format 1) back into the header
// or the event it was written from. Keys may come in any order and unknown
// keys are skipped, so hand-written lines and newer writers still read.

enum TraceRecord {
    case header(TraceHeader)
    case event(Event)
    /// A line that is neither (an alert record, a newer event kind): `what` names it.
    case other(what: String)
}

enum TraceLineDecoder {
    static func decode(_ line: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> TraceRecord {
        var c = JSONCursor(line)
        try c.expect(UInt8(ascii: "{"), "'{'")
        var f = Fields()
        var first = true
        while let key = try c.nextKey(first: &first) {
            try f.read(key, &c)
        }
        try c.expectEnd()
        return try f.record(&c)
    }

    /// Every top-level field any record kind uses; which ones matter depends on `ev`.
    private struct Fields {
        enum Kind { case spawn, thread, exec, exit, signal, syscall, unknown(String) }
        var kind: Kind?
        var seq: UInt64?, mono: UInt64 = 0, wall: UInt64 = 0, pid: Int32?, tid: Int32?
        // spawn / exec
        var ppid: Int32 = 0, via = "", exe = "", argv: [String] = [], cwd = "", uid: UInt32 = 0, comm = ""
        var path: String?, formerTid: Int32?
        // thread
        var creator: Int32?
        // exit
        var code: Int32?, signal: Int32?, core = false, process = false
        // signal
        var sig: Int32?, sender: Int32?
        // syscall
        var sc: String?, nr: Int32?, arch = Arch.x86_64, args: [Arg] = [], ret: Int64?, out: [Arg] = []
        var xseq: UInt64?, unreadable = false, denied = false
        // header
        var format: Int?, version = "", host = "", command: [String] = [], startWall: UInt64 = 0, tracerPid: Int32 = 0

        mutating func read(_ k: JSONKey, _ c: inout JSONCursor) throws(JSONParseError) {
            // Grouped by how often they occur: syscall lines dominate every trace.
            if k.matches("seq") { seq = try c.uint64() }
            else if k.matches("mono") { mono = try c.uint64() }
            else if k.matches("wall") { wall = try c.uint64() }
            else if k.matches("pid") { pid = try c.int32() }
            else if k.matches("tid") { tid = try c.int32() }
            else if k.matches("ev") { kind = try Self.kind(&c) }
            else if k.matches("sc") { sc = try c.string() }
            else if k.matches("nr") { nr = try c.int32() }
            else if k.matches("args") { args = try ArgDecoder.args(&c) }
            else if k.matches("ret") { ret = try c.int64() }
            else if k.matches("errno") { try c.skipValue() }  // derived from ret
            else if k.matches("out") { out = try ArgDecoder.args(&c) }
            else if k.matches("xseq") { xseq = try c.uint64() }
            else if k.matches("arch") { arch = Arch(rawValue: try c.string()) ?? .unknown }
            else if k.matches("unreadable") { unreadable = try c.bool() }
            else if k.matches("denied") { denied = try c.bool() }
            else if k.matches("ppid") { ppid = try c.int32() }
            else if k.matches("via") { via = try c.string() }
            else if k.matches("exe") { exe = try c.string() }
            else if k.matches("argv") { argv = try c.stringArray() }
            else if k.matches("cwd") { cwd = try c.string() }
            else if k.matches("uid") { uid = try c.uint32() }
            else if k.matches("comm") { comm = try c.string() }
            else if k.matches("path") { path = try c.string() }
            else if k.matches("former_tid") { formerTid = try c.int32() }
            else if k.matches("creator") { creator = try c.int32() }
            else if k.matches("code") { code = try c.int32() }
            else if k.matches("signal") { signal = try c.int32() }
            else if k.matches("core") { core = try c.bool() }
            else if k.matches("process") { process = try c.bool() }
            else if k.matches("sig") { sig = try c.int32() }
            else if k.matches("sender") { sender = try c.int32() }
            else if k.matches("agentwatch_trace") { format = try c.int() }
            else if k.matches("version") { version = try c.string() }
            else if k.matches("host") { host = try c.string() }
            else if k.matches("command") { command = try c.stringArray() }
            else if k.matches("start_wall") { startWall = try c.uint64() }
            else if k.matches("tracer_pid") { tracerPid = try c.int32() }
            else { try c.skipValue() }
        }

        static func kind(_ c: inout JSONCursor) throws(JSONParseError) -> Kind {
            let s = try c.string()
            switch s {
            case "syscall": return .syscall
            case "spawn": return .spawn
            case "exec": return .exec
            case "exit": return .exit
            case "signal": return .signal
            case "thread": return .thread
            default: return .unknown(s)
            }
        }

        func record(_ c: inout JSONCursor) throws(JSONParseError) -> TraceRecord {
            if let format {
                guard format == 1 else { throw c.fail("unsupported trace format \(format) (this reader knows format 1)") }
                var h = TraceHeader(agentwatchVersion: version, host: host, command: command, startWall: startWall, tracerPid: tracerPid)
                h.format = format
                return .header(h)
            }
            guard let kind else { return .other(what: seq == nil ? "a record without \"ev\"" : "an event without \"ev\"") }
            let k: Event.Kind
            switch kind {
            case .unknown(let name): return .other(what: "an event of unknown kind \"\(name)\"")
            case .syscall:
                guard let sc else { throw c.fail("syscall event without \"sc\"") }
                let exit = ret.map { SyscallExit(ret: $0, out: out) }
                k = .syscall(Syscall(name: sc, nr: nr ?? Int32(SyscallTable.x86_64Number(sc) ?? -1), arch: arch, args: args,
                                     exit: exit, exitSeq: xseq, unreadable: unreadable, denied: denied))
            case .spawn:
                k = .spawn(Spawn(ppid: ppid, via: via, exe: exe, argv: argv, cwd: cwd, uid: uid, comm: comm))
            case .thread:
                k = .thread(ThreadStart(creator: creator ?? pid ?? 0))
            case .exec:
                k = .exec(Exec(exe: exe, path: path ?? exe, argv: argv, cwd: cwd, comm: comm, formerTid: formerTid))
            case .exit:
                k = .exit(Exit(code: code, signal: signal, core: core, processEnded: process))
            case .signal:
                guard let sig else { throw c.fail("signal event without \"sig\"") }
                k = .signal(SignalDelivery(signal: sig, senderPid: sender))
            }
            guard let seq else { throw c.fail("event without \"seq\"") }
            guard let pid else { throw c.fail("event without \"pid\"") }
            return .event(Event(seq: seq, mono: mono, wall: wall, pid: pid, tid: tid ?? pid, kind: k))
        }
    }
}
