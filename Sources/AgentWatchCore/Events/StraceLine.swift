// One line of `strace` output split into its parts: who (pid prefix), when
// (-t/-tt/-ttt/-r timestamp) and what (a syscall — whole, unfinished or
// resumed —, a signal, an exit). Arguments are parsed later, once an
// unfinished call has been joined with its resumption.

enum StraceTime: Equatable {
    /// -ttt: nanoseconds since the epoch.
    case epoch(UInt64)
    /// -t/-tt: nanoseconds since local midnight (strace prints no date).
    case timeOfDay(UInt64)
    /// -r: nanoseconds since the previous line.
    case relative(UInt64)
}

struct StraceResult: Equatable {
    /// The return value; nil for `= ?` (the call never returned).
    var ret: Int64?
    /// -y/-yy annotation of a returned descriptor: `= 3</etc/passwd>`.
    var annotation: String?
}

struct StraceLine {
    enum Body {
        /// `name(args) = result`; `rest` holds everything after `name(`.
        case complete(name: String, rest: [UInt8])
        /// `name(args <unfinished ...>`; `args` is the text after `name(`.
        case unfinished(name: String, args: [UInt8])
        /// `<... name resumed>rest`.
        case resumed(name: String, rest: [UInt8])
        /// `--- SIGCHLD {si_signo=…} ---`
        case signal(Int32, info: StraceValue?)
        case exited(Int32)
        case killed(Int32, core: Bool)
        /// `+++ superseded by execve in pid N +++`: a thread's exec took over the leader.
        case superseded(Int32)
        /// `[ Process PID=N runs in 32 bit mode. ]`
        case personality(Arch)
        /// strace's own remarks ("--- stopped by SIGSTOP ---", "strace: …").
        case remark
    }

    var pid: Int32?
    var time: StraceTime?
    var body: Body

    static func parse(_ line: [UInt8]) throws(StraceSyntaxError) -> StraceLine {
        var s = Scanner(b: line)
        let pid = s.pidPrefix()
        let time = s.timestamp()
        let body = try s.body()
        return StraceLine(pid: pid, time: time, body: body)
    }

    /// The absolute time of a line, for merging -ff files; nil without one (or with -r).
    static func sortTime(_ line: [UInt8]) -> UInt64? {
        var s = Scanner(b: line)
        _ = s.pidPrefix()
        switch s.timestamp() {
        case .epoch(let t)?, .timeOfDay(let t)?: return t
        default: return nil
        }
    }

    /// Parses `args) = result` (the text after `name(`) into arguments and result.
    static func call(_ rest: [UInt8]) throws(StraceSyntaxError) -> ([StraceArg], StraceResult) {
        var p = StraceValueParser(rest)
        let args = try p.arguments()
        var s = Scanner(b: rest, i: p.i)
        return (args, try s.result())
    }

    /// The arguments of a call that never completed: as much as was printed.
    static func partialCall(_ args: [UInt8]) -> [StraceArg] {
        var p = StraceValueParser(args)
        return (try? p.arguments(partial: true)) ?? []
    }

    private struct Scanner {
        let b: [UInt8]
        var i = 0

        func fail(_ m: String, atEnd: Bool = false) -> StraceSyntaxError { StraceSyntaxError(message: m, atEnd: atEnd) }

        mutating func skipSpace() { while i < b.count, b[i] == 32 { i += 1 } }

        func at(_ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            guard i + n <= b.count else { return false }
            let p = s.utf8Start
            for k in 0..<n where b[i + k] != p[k] { return false }
            return true
        }

        func isDigit(_ j: Int) -> Bool { j < b.count && b[j] >= UInt8(ascii: "0") && b[j] <= UInt8(ascii: "9") }

        mutating func number() -> UInt64? {
            let begin = i
            var v: UInt64 = 0
            while isDigit(i) {
                v = v &* 10 &+ UInt64(b[i] - UInt8(ascii: "0"))
                i += 1
            }
            return i > begin ? v : nil
        }

        /// `[pid 123] ` (strace -f to a terminal) or `123  ` (strace -f -o FILE).
        mutating func pidPrefix() -> Int32? {
            if at("[pid ") {
                var j = i + 5
                while j < b.count, b[j] == 32 { j += 1 }
                let save = i
                i = j
                if let n = number(), i < b.count, b[i] == UInt8(ascii: "]") {
                    i += 1
                    skipSpace()
                    return Int32(exactly: n)
                }
                i = save
                return nil
            }
            let save = i
            if let n = number(), i < b.count, b[i] == 32 {
                skipSpace()
                return Int32(exactly: n)
            }
            i = save
            return nil
        }

        /// A leading timestamp in any of strace's forms.
        mutating func timestamp() -> StraceTime? {
            let save = i
            skipSpace()
            guard isDigit(i) else { i = save; return nil }
            let first = number() ?? 0
            if i < b.count, b[i] == UInt8(ascii: ":") {
                i += 1
                guard let m = number(), i < b.count, b[i] == UInt8(ascii: ":") else { i = save; return nil }
                i += 1
                guard let sec = number() else { i = save; return nil }
                let frac = fraction()
                guard i < b.count, b[i] == 32 else { i = save; return nil }
                skipSpace()
                return .timeOfDay(((first * 60 + m) * 60 + sec) * 1_000_000_000 + frac)
            }
            guard i < b.count, b[i] == UInt8(ascii: ".") else { i = save; return nil }
            let frac = fraction()
            guard i < b.count, b[i] == 32 else { i = save; return nil }
            skipSpace()
            let ns = first &* 1_000_000_000 &+ frac
            // -r deltas are small; -ttt is seconds since 1970.
            return first >= 100_000_000 ? .epoch(ns) : .relative(ns)
        }

        /// `.123456` as nanoseconds (any precision up to 9 digits).
        mutating func fraction() -> UInt64 {
            guard i < b.count, b[i] == UInt8(ascii: ".") else { return 0 }
            i += 1
            var v: UInt64 = 0
            var digits = 0
            while isDigit(i) {
                if digits < 9 { v = v * 10 + UInt64(b[i] - UInt8(ascii: "0")); digits += 1 }
                i += 1
            }
            while digits < 9 { v *= 10; digits += 1 }
            return v
        }

        mutating func body() throws(StraceSyntaxError) -> Body {
            if at("--- ") { return try signalLine() }
            if at("+++ ") { return try exitLine() }
            if at("<... ") { return try resumedLine() }
            if at("[ Process PID") {
                let text = String(decoding: b[i...], as: UTF8.self)
                if text.contains("32 bit mode") { return .personality(.i386) }
                if text.contains("x32 mode") { return .personality(.x32) }
                if text.contains("64 bit mode") { return .personality(.x86_64) }
                return .remark
            }
            if at("strace: ") || i == b.count { return .remark }
            let begin = i
            while i < b.count, StraceValueParser.isKeyByte(b[i]) || b[i] == UInt8(ascii: "?") { i += 1 }
            guard i > begin, i < b.count, b[i] == UInt8(ascii: "(") else {
                throw fail("not a strace line", atEnd: i >= b.count)
            }
            let name = String(decoding: b[begin..<i], as: UTF8.self)
            let rest = Array(b[(i + 1)...])
            for marker in [" <unfinished ...>", " <detached ...>"] {
                if let cut = rest.trailingMarker(marker) { return .unfinished(name: name, args: Array(rest[..<cut])) }
            }
            return .complete(name: name, rest: rest)
        }

        mutating func signalLine() throws(StraceSyntaxError) -> Body {
            i += 4
            let begin = i
            while i < b.count, b[i] != 32 { i += 1 }
            let name = String(decoding: b[begin..<i], as: UTF8.self)
            guard name.hasPrefix("SIG"), let sig = Signals.number(name) ?? StraceConstants.signalNumber(name) else {
                if name == "stopped" || name == "SIGRT" { return .remark }
                throw fail("unknown signal line")
            }
            skipSpace()
            var info: StraceValue?
            if i < b.count, b[i] == UInt8(ascii: "{") {
                var p = StraceValueParser(b, at: i)
                info = try? p.value()
            }
            return .signal(sig, info: info)
        }

        mutating func exitLine() throws(StraceSyntaxError) -> Body {
            i += 4
            if at("exited with ") {
                i += 12
                var negative = false
                if i < b.count, b[i] == UInt8(ascii: "-") { negative = true; i += 1 }
                guard let n = number() else { throw fail("bad exit line") }
                return .exited(Int32(truncatingIfNeeded: negative ? -Int64(n) : Int64(n)))
            }
            if at("killed by ") {
                i += 10
                let begin = i
                while i < b.count, b[i] != 32 { i += 1 }
                let name = String(decoding: b[begin..<i], as: UTF8.self)
                guard let sig = Signals.number(name) ?? StraceConstants.signalNumber(name) else { throw fail("unknown signal \(name)") }
                skipSpace()
                return .killed(sig, core: at("(core dumped)"))
            }
            if at("superseded by execve in pid ") {
                i += 28
                guard let n = number() else { throw fail("bad superseded line") }
                return .superseded(Int32(truncatingIfNeeded: n))
            }
            return .remark
        }

        mutating func resumedLine() throws(StraceSyntaxError) -> Body {
            i += 5
            let begin = i
            while i < b.count, b[i] != 32 { i += 1 }
            let name = String(decoding: b[begin..<i], as: UTF8.self)
            guard at(" resumed>") else { throw fail("bad resumed line", atEnd: i >= b.count) }
            i += 9
            let rest = Array(b[i...])
            if let cut = rest.trailingMarker(" <unfinished ...>") {
                // Interrupted again before returning.
                return .unfinished(name: name, args: Array(rest[..<cut]))
            }
            return .resumed(name: name, rest: rest)
        }

        /// `= 3`, `= -1 ENOENT (No such file)`, `= ?`, `= 0x7f…`, `= 3</path>`,
        /// then maybe a `(comment)` and a -T `<0.000123>`.
        mutating func result() throws(StraceSyntaxError) -> StraceResult {
            skipSpace()
            guard i < b.count else { throw fail("missing '= result'", atEnd: true) }
            guard b[i] == UInt8(ascii: "=") else { throw fail("expected '= result' after the arguments") }
            i += 1
            skipSpace()
            guard i < b.count else { throw fail("missing result", atEnd: true) }
            var r = StraceResult()
            if b[i] == UInt8(ascii: "?") {
                i += 1
                skipSpace()
                // `= ? ERESTARTSYS (To be restarted …)`: the kernel's internal errno.
                if i < b.count, b[i] == UInt8(ascii: "E") {
                    let name = word()
                    if let n = Errno.number(name) { r.ret = -Int64(n) }
                }
                return r
            }
            let negative = b[i] == UInt8(ascii: "-")
            if negative { i += 1 }
            var magnitude: UInt64
            if at("0x") {
                i += 2
                var v: UInt64 = 0
                let begin = i
                while i < b.count, let d = JSONCursor.hexDigit(b[i]) { v = v &<< 4 | UInt64(d); i += 1 }
                guard i > begin else { throw fail("bad hex result") }
                magnitude = v
            } else {
                guard let n = number() else { throw fail("bad result", atEnd: i >= b.count) }
                magnitude = n
            }
            var ret = negative ? Int64(bitPattern: 0 &- magnitude) : Int64(bitPattern: magnitude)
            if i < b.count, b[i] == UInt8(ascii: "<") {
                var p = StraceValueParser(b, at: i)
                r.annotation = try p.angleText()
                i = p.i
            }
            skipSpace()
            if negative && magnitude == 1 && i < b.count && b[i] == UInt8(ascii: "E") {
                let name = word()
                if let n = Errno.number(name) { ret = -Int64(n) }
            }
            r.ret = ret
            return r
        }

        mutating func word() -> String {
            let begin = i
            while i < b.count, b[i] != 32 { i += 1 }
            return String(decoding: b[begin..<i], as: UTF8.self)
        }
    }
}

extension Array where Element == UInt8 {
    /// Where `marker` starts when the line ends with it (trailing spaces ignored).
    func trailingMarker(_ marker: String) -> Int? {
        var end = count
        while end > 0, self[end - 1] == 32 { end -= 1 }
        let m = Array(marker.utf8)
        guard end >= m.count, Array(self[(end - m.count)..<end]) == m else { return nil }
        return end - m.count
    }
}
