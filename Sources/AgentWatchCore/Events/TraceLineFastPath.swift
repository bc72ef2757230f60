import Glibc

// Nearly every line of a trace is a syscall, written by TraceEncoder with its
// keys always in the same order. Read that shape straight off the bytes,
// without the general decoder's key dispatch; any other shape (another
// writer, hand-written lines, arch/unreadable/denied/stack keys, a number
// the fast reader does not take) goes to TraceLineDecoder, which also
// reports every error.

/// A syscall line as read, before any event is made of it.
struct SyscallLine {
    let seq: UInt64, mono: UInt64, wall: UInt64
    let pid: Int32, tid: Int32
    let name: String
    /// The name's number in the reader's SyscallNameTable.
    let nameID: Int
    let nr: Int32
    let ret: Int64?
    let xseq: UInt64?
    let decoding: SyscallDecodeFilter.Decoding
    /// Decoded (`.full`) arguments and written-back values.
    var args: [Arg] = [], out: [Arg] = []
    /// The texts of `.deferred` arguments; empty otherwise.
    var argsText = TextInterner.Text(bytes: [], id: 0), outText = TextInterner.Text(bytes: [], id: 0)

    func event(file: String, line: Int) -> Event {
        var sc = Syscall(name: name, nr: nr, arch: .x86_64, args: args, exit: ret.map { SyscallExit(ret: $0, out: out) },
                         exitSeq: xseq)
        if decoding == .deferred { sc.deferred = DeferredArgs(args: argsText, out: outText, file: file, line: line) }
        return Event(seq: seq, mono: mono, wall: wall, pid: pid, tid: tid, kind: .syscall(sc))
    }

    var memoLine: VerdictMemo.Line {
        VerdictMemo.Line(name: name, nr: nr, arch: .x86_64, unreadable: false, denied: false, ret: ret,
                         argsID: argsText.id, outID: outText.id, pid: pid, tid: tid)
    }
}

enum TraceLineFastPath {
    /// A syscall line in TraceEncoder's key order, or nil for the general decoder.
    static func syscall(_ line: UnsafeBufferPointer<UInt8>, cache: StringCache, names: SyscallNameTable,
                        filter: SyscallDecodeFilter?, interner: TextInterner) -> SyscallLine? {
        guard let base = line.baseAddress else { return nil }
        var r = Reader(base: base, end: line.count)
        guard r.literal("{\"seq\":"), let seq = r.unsigned(),
              r.literal(",\"mono\":"), let mono = r.unsigned(),
              r.literal(",\"wall\":"), let wall = r.unsigned(),
              r.literal(",\"pid\":"), let pid = r.int32(),
              r.literal(",\"tid\":"), let tid = r.int32(),
              r.literal(",\"ev\":\"syscall\",\"sc\":\""), let nameEnd = r.plainStringEnd() else { return nil }
        guard let known = names.entry(UnsafeBufferPointer(start: base + r.i, count: nameEnd - r.i), filter: filter),
              let decoding = known.decoding else { return nil }
        r.i = nameEnd + 1
        guard r.literal(",\"nr\":"), let nr = r.int32(), r.literal(",\"args\":") else { return nil }
        var c = JSONCursor(line, cache: cache)
        c.i = r.i
        var args: [Arg] = []
        var argsSpan: Range<Int>?
        do {
            switch decoding {
            case .full: args = try ArgDecoder.args(&c)
            case .hollow: try c.skipFast()
            case .deferred: argsSpan = try c.spanSkippingFast()
            }
        } catch {
            return nil
        }
        r.i = c.i
        var ret: Int64?, xseq: UInt64?
        var out: [Arg] = []
        var outSpan: Range<Int>?
        if r.literal(",\"ret\":") {
            guard let v = r.signed() else { return nil }
            ret = v
            if r.literal(",\"out\":") {
                c.i = r.i
                do {
                    switch decoding {
                    case .full: out = try ArgDecoder.args(&c)
                    case .hollow: try c.skipFast()
                    case .deferred: outSpan = try c.spanSkippingFast()
                    }
                } catch {
                    return nil
                }
                r.i = c.i
            }
        }
        if r.literal(",\"xseq\":") {
            guard let v = r.unsigned() else { return nil }
            xseq = v
        }
        guard r.literal("}"), r.onlySpaceLeft() else { return nil }
        var s = SyscallLine(seq: seq, mono: mono, wall: wall, pid: pid, tid: tid, name: known.name, nameID: known.id, nr: nr,
                            ret: ret, xseq: xseq,
                            decoding: decoding, args: args, out: out)
        if decoding == .deferred {
            s.argsText = DeferredArgs.text(line, argsSpan, interner, orEmptyObject: true)
            s.outText = DeferredArgs.text(line, outSpan, interner, orEmptyObject: false)
        }
        return s
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
            var v: UInt64 = 0
            let start = i
            while i < end {
                let d = base[i] &- UInt8(ascii: "0")
                if d > 9 { break }
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt64(d))
                if o1 || o2 { return nil }
                v = a
                i += 1
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
