import Glibc

// Nearly every line of a trace is a syscall, written by TraceEncoder with its
// keys always in the same order. Read that shape straight off the bytes,
// without the general decoder's key dispatch; any other shape (another
// writer, hand-written lines, arch/unreadable/denied/stack keys, a number
// the fast reader does not take) goes to TraceLineDecoder, which also
// reports every error.

enum TraceLineFastPath {
    /// The event of a syscall line in TraceEncoder's key order, or nil for the general decoder.
    static func syscall(_ line: UnsafeBufferPointer<UInt8>, cache: StringCache, filter: SyscallDecodeFilter?,
                        interner: TextInterner, file: String, lineNumber: Int) -> Event? {
        guard let base = line.baseAddress else { return nil }
        var r = Reader(base: base, end: line.count)
        guard r.literal("{\"seq\":"), let seq = r.unsigned(),
              r.literal(",\"mono\":"), let mono = r.unsigned(),
              r.literal(",\"wall\":"), let wall = r.unsigned(),
              r.literal(",\"pid\":"), let pid = r.int32(),
              r.literal(",\"tid\":"), let tid = r.int32(),
              r.literal(",\"ev\":\"syscall\",\"sc\":\""), let nameEnd = r.plainStringEnd() else { return nil }
        let name = cache.string(UnsafeBufferPointer(start: base + r.i, count: nameEnd - r.i))
        r.i = nameEnd + 1
        guard r.literal(",\"nr\":"), let nr = r.int32(), r.literal(",\"args\":") else { return nil }
        let decoding = filter?.decoding(of: name) ?? .full
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
        var sc = Syscall(name: name, nr: nr, arch: .x86_64, args: args, exit: ret.map { SyscallExit(ret: $0, out: out) },
                         exitSeq: xseq)
        if decoding == .deferred {
            sc.deferred = DeferredArgs(args: DeferredArgs.text(line, argsSpan, interner, orEmptyObject: true),
                                       out: DeferredArgs.text(line, outSpan, interner, orEmptyObject: false),
                                       file: file, line: lineNumber)
        }
        return Event(seq: seq, mono: mono, wall: wall, pid: pid, tid: tid, kind: .syscall(sc))
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
