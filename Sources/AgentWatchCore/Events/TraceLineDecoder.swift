// The inverse of TraceEncoder: one trace line (format 1) back into the header
// or the event it was written from. Keys may come in any order and unknown
// keys are skipped, so hand-written lines and newer writers still read.

enum TraceRecord {
    indirect case header(TraceHeader)
    case event(Event)
    /// A line that is neither (an alert record, a newer event kind): `what` names it.
    case other(what: String)
}

enum TraceLineDecoder {
    static let alertRecord = "an event of unknown kind \"alert\""

    /// `only`: syscalls it does not want come back hollow (see SyscallDecodeFilter).
    /// `file` and `line` are kept with deferred arguments, for an error when they are decoded.
    static func decode(_ line: UnsafeBufferPointer<UInt8>, cache: StringCache? = nil,
                       only filter: SyscallDecodeFilter? = nil, interner: TextInterner? = nil,
                       file: String = "", lineNumber: Int = 0) throws(JSONParseError) -> TraceRecord {
        var c = JSONCursor(line, cache: cache)
        try c.expect(UInt8(ascii: "{"), "'{'")
        var f = Fields()
        f.filter = filter
        f.interner = interner
        f.file = file
        f.lineNumber = lineNumber
        var first = true
        while let key = try c.nextKey(first: &first) {
            try f.read(key, &c)
        }
        try c.expectEnd()
        try f.readDeferred(&c)
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
        var dnsServers: [String] = []
        var hosts: [String] = []
        // Lazy decoding: what to decode, and where args/out sit when they came before "sc".
        var filter: SyscallDecodeFilter?
        var argsAt: Int?, outAt: Int?
        // Deferred decoding: where the args and out objects sit in the line.
        var argsSpan: Range<Int>?, outSpan: Range<Int>?
        var file = "", lineNumber = 0
        var interner: TextInterner?
        // spawn / exec: /proc facts and image fingerprints; any event: a stack
        var facts = ProcFacts(), binary: BinaryInfo?, script: BinaryInfo?, stack: [StackFrame]?

        mutating func read(_ k: JSONKey, _ c: inout JSONCursor) throws(JSONParseError) {
            // Keys as packed integers (see JSONKey.packed): one switch instead of string compares.
            switch k.packed {
            case 0x716573: seq = try c.uint64()  // seq
            case 0x6f6e6f6d: mono = try c.uint64()  // mono
            case 0x6c6c6177: wall = try c.uint64()  // wall
            case 0x646970: pid = try c.int32()  // pid
            case 0x646974: tid = try c.int32()  // tid
            case 0x7665: kind = try Self.kind(&c)  // ev
            case 0x6373: sc = try c.string()  // sc
            case 0x726e: nr = try c.int32()  // nr
            case 0x73677261:  // args
                switch decoding() {
                case .full?: args = try ArgDecoder.args(&c)
                case .hollow?: try c.skipFast()
                case .deferred?: argsSpan = try c.spanSkippingFast()
                case nil: argsAt = c.i; try c.skipFast()
                }
            case 0x746572: ret = try c.int64()  // ret
            case 0x74756f:  // out
                switch decoding() {
                case .full?: out = try ArgDecoder.args(&c)
                case .hollow?: try c.skipFast()
                case .deferred?: outSpan = try c.spanSkippingFast()
                case nil: outAt = c.i; try c.skipFast()
                }
            case 0x71657378: xseq = try c.uint64()  // xseq
            case 0x68637261: arch = Arch(rawValue: try c.string()) ?? .unknown  // arch
            case 0x6465696e6564: denied = try c.bool()  // denied
            case 0x64697070: ppid = try c.int32()  // ppid
            case 0x616976: via = try c.string()  // via
            case 0x657865: exe = try c.string()  // exe
            case 0x76677261: argv = try c.stringArray()  // argv
            case 0x647763: cwd = try c.string()  // cwd
            case 0x646975: uid = try c.uint32()  // uid
            case 0x6d6d6f63: comm = try c.string()  // comm
            case 0x68746170: path = try c.string()  // path
            case 0x726f7461657263: creator = try c.int32()  // creator
            case 0x65646f63: code = try c.int32()  // code
            case 0x6c616e676973: signal = try c.int32()  // signal
            case 0x65726f63: core = try c.bool()  // core
            case 0x737365636f7270: process = try c.bool()  // process
            case 0x676973: sig = try c.int32()  // sig
            case 0x7265646e6573: sender = try c.int32()  // sender
            case 0x6e6f6973726576: version = try c.string()  // version
            case 0x74736f68: host = try c.string()  // host
            case 0x646e616d6d6f63: command = try c.stringArray()  // command
            case 0x797474: facts.tty = try c.int32()  // tty
            case 0x64696770: facts.pgid = try c.int32()  // pgid
            case 0x646973: facts.sid = try c.int32()  // sid
            case 0x6666655f706163: facts.capEffective = try c.hexString()  // cap_eff
            case 0x6d72705f706163: facts.capPermitted = try c.hexString()  // cap_prm
            case 0x686e695f706163: facts.capInheritable = try c.hexString()  // cap_inh
            case 0x6469756e69676f6c: facts.loginuid = try c.int64()  // loginuid
            case 0x7972616e6962: binary = try FingerprintDecoder.binary(&c)  // binary
            case 0x747069726373: script = try FingerprintDecoder.binary(&c)  // script
            case 0x6b63617473:  // stack: only alerts read it, and hollow events never alert
                if decoding() == .hollow { try c.skipFast() } else { stack = try FingerprintDecoder.stack(&c) }
            default:
                if k.matches("unreadable") { unreadable = try c.bool() }
                else if k.matches("former_tid") { formerTid = try c.int32() }
                else if k.matches("agentwatch_trace") { format = try c.int() }
                else if k.matches("start_wall") { startWall = try c.uint64() }
                else if k.matches("tracer_pid") { tracerPid = try c.int32() }
                else if k.matches("dns_servers") { dnsServers = try c.stringArray() }
                else if k.matches("hosts") { hosts = try c.stringArray() }
                else { try c.skipValue() }
            }
        }

        /// How this line's syscall arguments are decoded; nil while "sc" is not read yet.
        func decoding() -> SyscallDecodeFilter.Decoding? {
            guard let filter else { return .full }
            guard let sc else { return nil }
            let how = filter.decoding(of: sc)
            // Deferred text needs an interner to number it.
            return how == .deferred && interner == nil ? .full : how
        }

        /// Decodes args/out that came before "sc", now that it is known to be wanted.
        mutating func readDeferred(_ c: inout JSONCursor) throws(JSONParseError) {
            guard argsAt != nil || outAt != nil else { return }
            let how = decoding()
            if how == .hollow { return }
            let end = c.i
            if how == .deferred {
                if let at = argsAt { c.i = at; argsSpan = try c.spanSkippingFast() }
                if let at = outAt { c.i = at; outSpan = try c.spanSkippingFast() }
            } else {
                if let at = argsAt { c.i = at; args = try ArgDecoder.args(&c) }
                if let at = outAt { c.i = at; out = try ArgDecoder.args(&c) }
            }
            c.i = end
        }

        /// The args and out text of a deferred line, copied out of the read buffer.
        func deferredArgs(_ c: JSONCursor) -> DeferredArgs? {
            guard decoding() == .deferred, let interner else { return nil }
            let a = DeferredArgs.text(c.bytes, argsSpan, interner, orEmptyObject: true)
            let shape = argsSpan.map { DeferredArgs.shapeID(UnsafeBufferPointer(rebasing: c.bytes[$0]), textID: a.id, interner) } ?? a.id
            return DeferredArgs(args: a, shapeID: shape, out: DeferredArgs.text(c.bytes, outSpan, interner, orEmptyObject: false),
                                file: file, line: lineNumber)
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
                var h = TraceHeader(agentwatchVersion: version, host: host, command: command, startWall: startWall, tracerPid: tracerPid,
                                    dnsServers: dnsServers)
                h.hosts = hosts
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
                var call = Syscall(name: sc, nr: nr ?? Int32(SyscallTable.x86_64Number(sc) ?? -1), arch: arch, args: args,
                                   exit: exit, exitSeq: xseq, unreadable: unreadable, denied: denied)
                call.deferred = deferredArgs(c)
                k = .syscall(call)
            case .spawn:
                k = .spawn(Spawn(ppid: ppid, via: via, exe: exe, argv: argv, cwd: cwd, uid: uid, comm: comm, facts: facts))
            case .thread:
                k = .thread(ThreadStart(creator: creator ?? pid ?? 0))
            case .exec:
                k = .exec(Exec(exe: exe, path: path ?? exe, argv: argv, cwd: cwd, comm: comm, formerTid: formerTid,
                               facts: facts, binary: binary, script: script))
            case .exit:
                k = .exit(Exit(code: code, signal: signal, core: core, processEnded: process))
            case .signal:
                guard let sig else { throw c.fail("signal event without \"sig\"") }
                k = .signal(SignalDelivery(signal: sig, senderPid: sender))
            }
            guard let seq else { throw c.fail("event without \"seq\"") }
            guard let pid else { throw c.fail("event without \"pid\"") }
            var e = Event(seq: seq, mono: mono, wall: wall, pid: pid, tid: tid ?? pid, kind: k)
            e.stack = stack
            return .event(e)
        }
    }
}
