import Glibc

// Nearly every line of a trace is a syscall, written by TraceEncoder with its
// keys always in the same order. Read that shape straight off the bytes,
// without the general decoder's key dispatch; any other shape (another
// writer, hand-written lines, arch/unreadable/denied/stack keys, a number
// the fast reader does not take) goes to TraceLineDecoder, which also
// reports every error.

/// A stream that can show its syscall lines to a taker before it makes events
/// of them (replay's fast lane: ReplayLane, EngineOrder).
protocol SyscallLineSource: AnyObject {
    /// Each syscall line read the fast way goes to `judge` first; the lines it
    /// takes are consumed there. False when the stream has no such lines.
    func takeSyscallLines(where judge: @escaping (SyscallLine, SyscallNameTable) -> Bool) -> Bool
}

/// A syscall line as read, before any event is made of it: plain values and
/// numbers only (no strings, no arrays), so handing it around costs nothing.
/// `event` finishes what the fast lane did not need.
struct SyscallLine {
    let seq: UInt64
    let pid: Int32, tid: Int32
    /// The name's number in the reader's SyscallNameTable.
    let nameID: Int
    let nr: Int32
    let ret: Int64?
    let xseq: UInt64?
    let decoding: SyscallDecodeFilter.Decoding
    /// Numbers of the `.deferred` argument texts in the reader's TextInterner (0: none).
    let argsID: Int, outID: Int
    /// See DeferredArgs.shapeID.
    let shapeID: Int
    /// Where the rest sits in the line.
    let monoAt: Int, wallAt: Int
    let argsSpan: Range<Int>, outSpan: Range<Int>?

    var memoLine: VerdictMemo.Line {
        VerdictMemo.Line(nr: nr, arch: .x86_64, unreadable: false, denied: false, ret: ret, argsID: argsID, shapeID: shapeID,
                         outID: outID, pid: pid, tid: tid)
    }
}

enum TraceLineFastPath {
    /// A syscall line in TraceEncoder's key order, or nil for the general decoder.
    static func syscall(_ line: UnsafeBufferPointer<UInt8>, names: SyscallNameTable, filter: SyscallDecodeFilter?,
                        interner: TextInterner, contents: SyscallContentCache) -> SyscallLine? {
        guard let base = line.baseAddress else { return nil }
        var r = Reader(base: base, end: line.count)
        // mono and wall are checked here and read only when an event is made.
        guard r.literal("{\"seq\":"), let seq = r.unsigned(),
              r.literal(",\"mono\":") else { return nil }
        let monoAt = r.i
        guard r.digits(), r.literal(",\"wall\":") else { return nil }
        let wallAt = r.i
        guard r.digits(),
              r.literal(",\"pid\":"), let pid = r.int32(),
              r.literal(",\"tid\":"), let tid = r.int32(),
              r.literal(",\"ev\":\"syscall\",") else { return nil }
        // The rest up to xseq (the last key, when there) says the same thing
        // every time it repeats: read once, then found by its bytes.
        let contentAt = r.i
        var close = line.count
        while close > contentAt, base[close - 1] == 32 || base[close - 1] == 9 || base[close - 1] == 13 || base[close - 1] == 10 { close -= 1 }
        guard close > contentAt, base[close - 1] == UInt8(ascii: "}") else { return nil }
        close -= 1
        var contentEnd = close
        var xseq: UInt64?
        var d = close
        while d > contentAt, base[d - 1] &- UInt8(ascii: "0") <= 9 { d -= 1 }
        if d < close, d - contentAt >= 8, memcmp(base + d - 8, ",\"xseq\":", 8) == 0 {
            var x = Reader(base: base, end: close)
            x.i = d
            guard let v = x.unsigned(), x.i == close else { return nil }
            xseq = v
            contentEnd = d - 8
        }
        let content = UnsafeBufferPointer(start: base + contentAt, count: contentEnd - contentAt)
        let known: SyscallContentCache.Content
        if let hit = contents.lookup(content) {
            known = hit
        } else {
            guard let read = Self.content(line, from: contentAt, to: contentEnd, names: names, filter: filter, interner: interner)
            else { return nil }
            contents.insert(content, read)
            known = read
        }
        let argsSpan = known.args.lowerBound + contentAt..<known.args.upperBound + contentAt
        let outSpan = known.out.map { $0.lowerBound + contentAt..<$0.upperBound + contentAt }
        return SyscallLine(seq: seq, pid: pid, tid: tid, nameID: known.nameID, nr: known.nr, ret: known.ret, xseq: xseq,
                           decoding: known.decoding, argsID: known.argsID, outID: known.outID, shapeID: known.shapeID,
                           monoAt: monoAt, wallAt: wallAt,
                           argsSpan: argsSpan, outSpan: outSpan)
    }

    /// `"sc":…,"nr":…,"args":{…}[,"ret":…[,"out":{…}]]`, exactly `from..<to` of the line.
    private static func content(_ line: UnsafeBufferPointer<UInt8>, from: Int, to: Int, names: SyscallNameTable,
                                filter: SyscallDecodeFilter?, interner: TextInterner) -> SyscallContentCache.Content? {
        guard let base = line.baseAddress else { return nil }
        var r = Reader(base: base, end: to)
        r.i = from
        guard r.literal("\"sc\":\""), let nameEnd = r.plainStringEnd(),
              let name = names.lookup(UnsafeBufferPointer(start: base + r.i, count: nameEnd - r.i), filter: filter) else { return nil }
        r.i = nameEnd + 1
        guard r.literal(",\"nr\":"), let nr = r.int32(), r.literal(",\"args\":") else { return nil }
        var c = JSONCursor(UnsafeBufferPointer(start: base, count: to))
        c.i = r.i
        let argsSpan: Range<Int>
        do { argsSpan = try c.spanSkippingFast() } catch { return nil }
        r.i = c.i
        var ret: Int64?
        var outSpan: Range<Int>?
        if r.literal(",\"ret\":") {
            guard let v = r.signed() else { return nil }
            ret = v
            if r.literal(",\"out\":") {
                c.i = r.i
                do { outSpan = try c.spanSkippingFast() } catch { return nil }
                r.i = c.i
            }
        }
        guard r.i == to else { return nil }
        var argsID = 0, outID = 0, shapeID = 0
        if name.decoding == .deferred {
            let text = UnsafeBufferPointer(rebasing: line[argsSpan])
            argsID = interner.intern(text).id
            shapeID = DeferredArgs.shapeID(text, textID: argsID, interner)
            if let o = outSpan { outID = interner.intern(UnsafeBufferPointer(rebasing: line[o])).id }
        }
        return SyscallContentCache.Content(nameID: name.id, decoding: name.decoding, nr: nr, ret: ret, argsID: argsID, outID: outID,
                                           shapeID: shapeID,
                                           args: argsSpan.lowerBound - from..<argsSpan.upperBound - from,
                                           out: outSpan.map { $0.lowerBound - from..<$0.upperBound - from })
    }

    /// A spawn, exec or exit line in TraceEncoder's key order, or nil for the general decoder.
    static func process(_ line: UnsafeBufferPointer<UInt8>, cache: StringCache) -> Event? {
        guard let base = line.baseAddress else { return nil }
        var r = Reader(base: base, end: line.count)
        guard r.literal("{\"seq\":"), let seq = r.unsigned(),
              r.literal(",\"mono\":"), let mono = r.unsigned(),
              r.literal(",\"wall\":"), let wall = r.unsigned(),
              r.literal(",\"pid\":"), let pid = r.int32(),
              r.literal(",\"tid\":"), let tid = r.int32(),
              r.literal(",\"ev\":\"") else { return nil }
        var c = JSONCursor(line, cache: cache)
        // A value after a key, read by the JSON cursor where the bytes reader stands.
        func value<T>(after key: StaticString, _ read: (inout JSONCursor) throws(JSONParseError) -> T) throws(JSONParseError) -> T? {
            guard r.literal(key) else { return nil }
            c.i = r.i
            defer { r.i = c.i }
            return try read(&c)
        }
        func string(after key: StaticString) throws(JSONParseError) -> String? { try value(after: key) { c throws(JSONParseError) in try c.string() } }
        func strings(after key: StaticString) throws(JSONParseError) -> [String]? {
            try value(after: key) { c throws(JSONParseError) in try c.stringArray() }
        }
        func hex(after key: StaticString) throws(JSONParseError) -> UInt64? { try value(after: key) { c throws(JSONParseError) in try c.hexString() } }
        func bool(after key: StaticString) throws(JSONParseError) -> Bool? { try value(after: key) { c throws(JSONParseError) in try c.bool() } }
        func binary(after key: StaticString) throws(JSONParseError) -> BinaryInfo? {
            try value(after: key) { c throws(JSONParseError) in try FingerprintDecoder.binary(&c) }
        }
        // The facts TraceEncoder writes after a spawn or exec: all of them or none.
        func facts() throws(JSONParseError) -> ProcFacts? {
            var f = ProcFacts()
            if r.literal(",\"tty\":") { guard let v = r.int32() else { return nil }; f.tty = v }
            guard r.literal(",\"pgid\":") else { return f.tty == 0 ? f : nil }
            guard let pgid = r.int32(), r.literal(",\"sid\":"), let sid = r.int32(),
                  let eff = try hex(after: ",\"cap_eff\":"), let prm = try hex(after: ",\"cap_prm\":"),
                  let inh = try hex(after: ",\"cap_inh\":"), r.literal(",\"loginuid\":"), let login = r.signed() else { return nil }
            return ProcFacts(tty: f.tty, pgid: pgid, sid: sid, capEffective: eff, capPermitted: prm, capInheritable: inh, loginuid: login)
        }
        let kind: Event.Kind
        do throws(JSONParseError) {
            if r.literal("exit\"") {
                var code: Int32?, signal: Int32?, core = false
                if r.literal(",\"code\":") { guard let v = r.int32() else { return nil }; code = v }
                if r.literal(",\"signal\":") {
                    guard let v = r.int32(), let k = try bool(after: ",\"core\":") else { return nil }
                    signal = v
                    core = k
                }
                guard let ended = try bool(after: ",\"process\":") else { return nil }
                kind = .exit(Exit(code: code, signal: signal, core: core, processEnded: ended))
            } else if r.literal("spawn\",\"ppid\":") {
                guard let ppid = r.int32(), let via = try string(after: ",\"via\":"), let exe = try string(after: ",\"exe\":"),
                      let argv = try strings(after: ",\"argv\":"), let cwd = try string(after: ",\"cwd\":"),
                      r.literal(",\"uid\":"), let uid = r.unsigned().flatMap({ UInt32(exactly: $0) }),
                      let comm = try string(after: ",\"comm\":"), let facts = try facts() else { return nil }
                kind = .spawn(Spawn(ppid: ppid, via: via, exe: exe, argv: argv, cwd: cwd, uid: uid, comm: comm, facts: facts))
            } else if r.literal("exec\",") {
                guard let exe = try string(after: "\"exe\":"), let path = try string(after: ",\"path\":"),
                      let argv = try strings(after: ",\"argv\":"), let cwd = try string(after: ",\"cwd\":"),
                      let comm = try string(after: ",\"comm\":") else { return nil }
                var formerTid: Int32?
                if r.literal(",\"former_tid\":") { guard let v = r.int32() else { return nil }; formerTid = v }
                guard let facts = try facts() else { return nil }
                let image = try binary(after: ",\"binary\":")
                let script = try binary(after: ",\"script\":")
                kind = .exec(Exec(exe: exe, path: path, argv: argv, cwd: cwd, comm: comm, formerTid: formerTid, facts: facts,
                                  binary: image, script: script))
            } else {
                return nil
            }
        } catch {
            return nil
        }
        guard r.literal("}"), r.onlySpaceLeft() else { return nil }
        return Event(seq: seq, mono: mono, wall: wall, pid: pid, tid: tid, kind: kind)
    }

    /// The event of a line `syscall` read (the same line, the same tables).
    static func event(_ s: SyscallLine, _ line: UnsafeBufferPointer<UInt8>, names: SyscallNameTable, interner: TextInterner,
                      cache: StringCache, file: String, lineNumber: Int) throws(JSONParseError) -> Event {
        guard let base = line.baseAddress else { throw JSONParseError(message: "empty line", offset: 0, atEnd: true) }
        var r = Reader(base: base, end: line.count)
        r.i = s.monoAt
        let mono = r.unsigned()
        r.i = s.wallAt
        let wall = r.unsigned()
        guard let mono, let wall else { throw JSONParseError(message: "a time does not fit", offset: s.monoAt, atEnd: false) }
        var args: [Arg] = [], out: [Arg] = []
        var deferred: DeferredArgs?
        switch s.decoding {
        case .full:
            var c = JSONCursor(line, cache: cache)
            c.i = s.argsSpan.lowerBound
            args = try ArgDecoder.args(&c)
            if let o = s.outSpan {
                c.i = o.lowerBound
                out = try ArgDecoder.args(&c)
            }
        case .hollow:
            break
        case .deferred:
            deferred = DeferredArgs(args: interner.intern(UnsafeBufferPointer(rebasing: line[s.argsSpan])), shapeID: s.shapeID,
                                    out: DeferredArgs.text(line, s.outSpan, interner, orEmptyObject: false),
                                    file: file, line: lineNumber)
        }
        var sc = Syscall(name: names.name(s.nameID), nr: s.nr, arch: .x86_64, args: args,
                         exit: s.ret.map { SyscallExit(ret: $0, out: out) }, exitSeq: s.xseq)
        sc.deferred = deferred
        return Event(seq: s.seq, mono: mono, wall: wall, pid: s.pid, tid: s.tid, kind: .syscall(sc))
    }

    private struct Reader {
        let base: UnsafePointer<UInt8>
        let end: Int
        var i = 0

        mutating func literal(_ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            guard end - i >= n, memcmp(base + i, s.utf8Start, n) == 0 else { return false }
            i += n
            return true
        }

        /// Digits only (no sign, fraction or exponent), and no overflow.
        mutating func unsigned() -> UInt64? {
            let start = i
            var v: UInt64 = 0
            // Nineteen digits cannot overflow: checks only for a twentieth.
            while i < end, i - start < 19 {
                let d = base[i] &- UInt8(ascii: "0")
                if d > 9 { break }
                v = v &* 10 &+ UInt64(d)
                i += 1
            }
            if i < end, i - start == 19 {
                let d = base[i] &- UInt8(ascii: "0")
                if d <= 9 {
                    let (m, o1) = v.multipliedReportingOverflow(by: 10)
                    let (a, o2) = m.addingReportingOverflow(UInt64(d))
                    if o1 || o2 { return nil }
                    v = a
                    i += 1
                    if i < end, base[i] &- UInt8(ascii: "0") <= 9 { return nil }
                }
            }
            // Leading zeros are not JSON: the general decoder says so.
            if i == start || (i - start > 1 && base[start] == UInt8(ascii: "0")) { return nil }
            return v
        }

        mutating func signed() -> Int64? {
            let negative = i < end && base[i] == UInt8(ascii: "-")
            if negative { i += 1 }
            guard let m = unsigned() else { return nil }
            if negative { return m <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- m) : nil }
            return m <= UInt64(Int64.max) ? Int64(m) : nil
        }

        mutating func int32() -> Int32? { signed().flatMap { Int32(exactly: $0) } }

        func peek(_ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            return end - i >= n && memcmp(base + i, s.utf8Start, n) == 0
        }

        /// Passes over what `unsigned` would read.
        mutating func digits() -> Bool {
            let start = i
            while i < end, base[i] &- UInt8(ascii: "0") <= 9 { i += 1 }
            return i > start && i - start <= 20 && (i - start == 1 || base[start] != UInt8(ascii: "0"))
        }

        /// Where a string without escapes or control characters ends (its closing quote).
        func plainStringEnd() -> Int? {
            var j = i
            while j < end {
                let b = base[j]
                if b == UInt8(ascii: "\"") { return j }
                if b == UInt8(ascii: "\\") || b < 0x20 { return nil }
                j += 1
            }
            return nil
        }

        func onlySpaceLeft() -> Bool {
            var j = i
            while j < end {
                let b = base[j]
                if b != 32 && b != 9 && b != 13 && b != 10 { return false }
                j += 1
            }
            return true
        }
    }
}
