import Glibc

// A pull parser over the bytes of one JSON line. Trace lines are decoded
// straight into events with it: no intermediate tree, and strings are only
// built for the values an event keeps.

struct JSONParseError: Error {
    var message: String
    /// Byte offset in the line.
    var offset: Int
    /// The input stopped in the middle of a value (a line cut short).
    var atEnd: Bool
}

/// An object key as it appears in the line; escapes are rare enough in keys to
/// take a slow path.
struct JSONKey {
    var raw: UnsafeBufferPointer<UInt8>
    var decoded: String?

    /// Keys of up to 8 bytes as one little-endian integer, so a decoder can
    /// switch on them; 0 for longer or escaped keys (compare with `matches`).
    var packed: UInt64 {
        guard decoded == nil, raw.count <= 8, let base = raw.baseAddress else { return 0 }
        var v: UInt64 = 0
        for k in 0..<raw.count { v |= UInt64(base[k]) << (8 * UInt64(k)) }
        return v
    }

    func matches(_ s: StaticString) -> Bool {
        if let decoded { return decoded == s.description }
        guard raw.count == s.utf8CodeUnitCount, let base = raw.baseAddress else { return raw.isEmpty && s.utf8CodeUnitCount == 0 }
        return memcmp(base, s.utf8Start, raw.count) == 0
    }

    var string: String { decoded ?? String(decoding: raw, as: UTF8.self) }

    func string(_ cache: StringCache?) -> String {
        if let decoded { return decoded }
        return cache?.string(raw) ?? String(decoding: raw, as: UTF8.self)
    }
}

struct JSONCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0
    /// Shares Strings across lines (see StringCache); nil builds fresh ones.
    let cache: StringCache?

    init(_ bytes: UnsafeBufferPointer<UInt8>, cache: StringCache? = nil) {
        self.bytes = bytes
        self.cache = cache
    }

    // MARK: errors

    func fail(_ message: String) -> JSONParseError {
        JSONParseError(message: message, offset: i, atEnd: false)
    }

    func unexpected(_ what: String) -> JSONParseError {
        if i >= bytes.count { return JSONParseError(message: "line ends inside \(what)", offset: i, atEnd: true) }
        return fail("expected \(what), found \(Self.describe(bytes[i]))")
    }

    static func describe(_ c: UInt8) -> String {
        c >= 32 && c < 127 ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x" + String(c, radix: 16)
    }

    // MARK: structure

    mutating func skipSpace() {
        while i < bytes.count {
            let c = bytes[i]
            if c == 32 || c == 9 || c == 10 || c == 13 { i += 1 } else { return }
        }
    }

    mutating func peek() -> UInt8? {
        skipSpace()
        return i < bytes.count ? bytes[i] : nil
    }

    mutating func expect(_ c: UInt8, _ what: String) throws(JSONParseError) {
        skipSpace()
        guard i < bytes.count, bytes[i] == c else { throw unexpected(what) }
        i += 1
    }

    /// Only whitespace may follow the value that made up the line.
    mutating func expectEnd() throws(JSONParseError) {
        skipSpace()
        if i < bytes.count { throw fail("unexpected \(Self.describe(bytes[i])) after the end of the object") }
    }

    /// Walks an object's members: call with `first = true` after `{` and read
    /// the value after each key it returns.
    mutating func nextKey(first: inout Bool) throws(JSONParseError) -> JSONKey? {
        skipSpace()
        guard i < bytes.count else { throw unexpected("a key or '}'") }
        if bytes[i] == UInt8(ascii: "}") { i += 1; return nil }
        if !first {
            guard bytes[i] == UInt8(ascii: ",") else { throw unexpected("',' or '}'") }
            i += 1
            skipSpace()
        }
        first = false
        let key = try rawString("a key")
        try expect(UInt8(ascii: ":"), "':'")
        return key
    }

    /// Walks an array's elements: returns false at `]`.
    mutating func nextElement(first: inout Bool) throws(JSONParseError) -> Bool {
        skipSpace()
        guard i < bytes.count else { throw unexpected("a value or ']'") }
        if bytes[i] == UInt8(ascii: "]") { i += 1; return false }
        if !first {
            guard bytes[i] == UInt8(ascii: ",") else { throw unexpected("',' or ']'") }
            i += 1
        }
        first = false
        return true
    }

    // MARK: strings

    /// A string's bytes in place when it has no escapes, else decoded.
    private mutating func rawString(_ what: String) throws(JSONParseError) -> JSONKey {
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw unexpected(what) }
        i += 1
        let begin = i
        // Most strings have no escapes: find the closing quote at memchr speed,
        // then make sure nothing in between needs decoding.
        if let base = bytes.baseAddress, let q = memchr(base + i, Int32(UInt8(ascii: "\"")), bytes.count - i) {
            let end = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(q))
            var clean = true
            var j = i
            while j < end {
                let c = base[j]
                if c == UInt8(ascii: "\\") || c < 32 { clean = false; break }
                j += 1
            }
            if clean {
                i = end + 1
                return JSONKey(raw: UnsafeBufferPointer(start: base + begin, count: end - begin), decoded: nil)
            }
        }
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[begin..<i])
                i += 1
                return JSONKey(raw: raw, decoded: nil)
            }
            if c == UInt8(ascii: "\\") {
                i = begin
                var out: [UInt8] = []
                try unescape(into: &out, latin1: false)
                return JSONKey(raw: UnsafeBufferPointer(start: nil, count: 0), decoded: String(decoding: out, as: UTF8.self))
            }
            if c < 32 { throw fail("control character in a string") }
            i += 1
        }
        throw unexpected("a string")
    }

    mutating func string() throws(JSONParseError) -> String {
        try rawString("a string").string(cache)
    }

    /// A string value split by a decoder, through the cache when there is one.
    mutating func flagNames(split: (String) -> [String]) throws(JSONParseError) -> [String] {
        let k = try rawString("a string")
        if let decoded = k.decoded { return split(decoded) }
        if let cache { return cache.flagNames(k.raw, split: split) }
        return split(String(decoding: k.raw, as: UTF8.self))
    }

    /// An object key as a String (argument names).
    mutating func keyString(_ k: JSONKey) -> String { k.string(cache) }

    /// Compares a string value without building it.
    mutating func stringEquals(_ s: StaticString) throws(JSONParseError) -> Bool {
        try rawString("a string").matches(s)
    }

    /// A string whose characters are bytes (U+0000–U+00FF): binary payloads.
    mutating func latin1() throws(JSONParseError) -> [UInt8] {
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw unexpected("a string") }
        i += 1
        var out: [UInt8] = []
        try unescape(into: &out, latin1: true)
        return out
    }

    /// Decodes from just after the opening quote through the closing one.
    private mutating func unescape(into out: inout [UInt8], latin1: Bool) throws(JSONParseError) {
        while i < bytes.count {
            let c = bytes[i]
            switch c {
            case UInt8(ascii: "\""):
                i += 1
                return
            case UInt8(ascii: "\\"):
                i += 1
                guard i < bytes.count else { throw unexpected("an escape") }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        // A surrogate pair spells one code point above U+FFFF.
                        if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                            i += 2
                            let low = try hex4()
                            scalar = low >= 0xDC00 && low < 0xE000 ? 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD
                        } else {
                            scalar = 0xFFFD
                        }
                    } else if scalar >= 0xDC00 && scalar < 0xE000 {
                        scalar = 0xFFFD
                    }
                    if latin1 {
                        guard scalar <= 0xFF else { throw fail("byte string holds U+\(String(scalar, radix: 16, uppercase: true))") }
                        out.append(UInt8(scalar))
                    } else {
                        appendUTF8(scalar, to: &out)
                    }
                default:
                    i -= 1
                    throw fail("bad escape \\\(Character(Unicode.Scalar(e)))")
                }
            case 0..<32:
                throw fail("control character in a string")
            default:
                i += 1
                if latin1 && c >= 0x80 {
                    // Bytes 0x80–0xFF arrive as the two-byte UTF-8 of U+0080–U+00FF.
                    guard c == 0xC2 || c == 0xC3 else { throw fail("byte string holds a character above U+00FF") }
                    guard i < bytes.count else { throw unexpected("a string") }
                    let c2 = bytes[i]
                    guard c2 & 0xC0 == 0x80 else { throw fail("bad UTF-8 in a string") }
                    i += 1
                    out.append((c & 0x03) << 6 | (c2 & 0x3F))
                } else {
                    out.append(c)
                }
            }
        }
        throw unexpected("a string")
    }

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard i < bytes.count else { throw unexpected("four hex digits") }
            guard let d = Self.hexDigit(bytes[i]) else { throw fail("bad \\u escape") }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }

    static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(0xC0 | UInt8(v >> 6)); out.append(0x80 | UInt8(v & 0x3F))
        case 0x800..<0x10000:
            out.append(0xE0 | UInt8(v >> 12)); out.append(0x80 | UInt8((v >> 6) & 0x3F)); out.append(0x80 | UInt8(v & 0x3F))
        default:
            out.append(0xF0 | UInt8(v >> 18)); out.append(0x80 | UInt8((v >> 12) & 0x3F))
            out.append(0x80 | UInt8((v >> 6) & 0x3F)); out.append(0x80 | UInt8(v & 0x3F))
        }
    }

    // MARK: scalars

    /// An integer as its sign and magnitude; fractions and exponents are refused
    /// because no trace field holds them.
    private mutating func integer() throws(JSONParseError) -> (negative: Bool, magnitude: UInt64) {
        skipSpace()
        guard i < bytes.count else { throw unexpected("a number") }
        var negative = false
        if bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        let begin = i
        var v: UInt64 = 0
        while i < bytes.count {
            let d = bytes[i] &- UInt8(ascii: "0")
            if d > 9 { break }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { throw fail("number out of range") }
            v = s
            i += 1
        }
        if i == begin { throw unexpected("a number") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            throw fail("expected an integer")
        }
        return (negative, v)
    }

    mutating func int64() throws(JSONParseError) -> Int64 {
        let (neg, m) = try integer()
        if neg {
            guard m <= UInt64(Int64.max) + 1 else { throw fail("number out of range") }
            return m == UInt64(Int64.max) + 1 ? Int64.min : -Int64(m)
        }
        guard m <= UInt64(Int64.max) else { throw fail("number out of range") }
        return Int64(m)
    }

    mutating func uint64() throws(JSONParseError) -> UInt64 {
        let (neg, m) = try integer()
        if neg && m != 0 { throw fail("expected a non-negative number") }
        return m
    }

    mutating func int32() throws(JSONParseError) -> Int32 {
        let v = try int64()
        guard let n = Int32(exactly: v) else { throw fail("number out of range") }
        return n
    }

    mutating func uint32() throws(JSONParseError) -> UInt32 {
        let v = try uint64()
        guard let n = UInt32(exactly: v) else { throw fail("number out of range") }
        return n
    }

    mutating func int() throws(JSONParseError) -> Int {
        Int(try int64())
    }

    mutating func bool() throws(JSONParseError) -> Bool {
        skipSpace()
        if literal("true") { return true }
        if literal("false") { return false }
        throw unexpected("true or false")
    }

    private mutating func literal(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard i + n <= bytes.count, let base = bytes.baseAddress, memcmp(base + i, s.utf8Start, n) == 0 else { return false }
        i += n
        return true
    }

    /// "0x1f" → 31: addresses are written as hex strings.
    mutating func hexString() throws(JSONParseError) -> UInt64 {
        let at = i
        let key = try rawString("a hex string")
        let text = key.decoded.map { Array($0.utf8) } ?? Array(key.raw)
        var j = 0
        if text.count > 2 && text[0] == UInt8(ascii: "0") && (text[1] == UInt8(ascii: "x") || text[1] == UInt8(ascii: "X")) { j = 2 }
        guard j < text.count else { i = at; throw fail("expected a hex number") }
        var v: UInt64 = 0
        while j < text.count {
            guard let d = Self.hexDigit(text[j]), v >> 60 == 0 else { i = at; throw fail("expected a hex number") }
            v = v << 4 | UInt64(d)
            j += 1
        }
        return v
    }

    mutating func stringArray() throws(JSONParseError) -> [String] {
        try expect(UInt8(ascii: "["), "'['")
        var out: [String] = []
        var first = true
        while try nextElement(first: &first) { out.append(try string()) }
        return out
    }

    mutating func isNull() -> Bool {
        skipSpace()
        return literal("null")
    }

    /// Passes over an object or array without decoding it: the arguments of a
    /// hollow event. Strings are crossed and brackets must pair up, but the
    /// grammar in between is not checked: nothing there is read.
    mutating func skipFast() throws(JSONParseError) {
        guard let open = peek(), open == UInt8(ascii: "{") || open == UInt8(ascii: "["), let base = bytes.baseAddress else {
            return try skipValue()
        }
        // One bit per open bracket, 1 for an object: enough for the 64 levels skipValue allows.
        var kinds: UInt64 = 0
        var depth = 0
        let n = bytes.count
        var j = i
        return try JSONCursor.structural.withUnsafeBufferPointer { table throws(JSONParseError) in
        while j < n {
            let c = base[j]
            j += 1
            // Most bytes are none of the five that matter: one table load each.
            let k = table[Int(c)]
            if k == 0 { continue }
            switch k {
            case 1:
                // A string: eight bytes at a time to the next quote or backslash.
                while true {
                    while j + 8 <= n {
                        let w = UnsafeRawPointer(base + j).loadUnaligned(as: UInt64.self)
                        let hit = Self.zeroByteMask(w ^ 0x2222_2222_2222_2222) | Self.zeroByteMask(w ^ 0x5C5C_5C5C_5C5C_5C5C)
                        if hit != 0 {
                            j += hit.trailingZeroBitCount >> 3
                            break
                        }
                        j += 8
                    }
                    guard j < n else { i = j; throw unexpected("a string") }
                    let d = base[j]
                    j += 1
                    if d == UInt8(ascii: "\"") { break }
                    if d == UInt8(ascii: "\\") { j += 1 }
                }
            case 2:
                guard depth < 64 else { i = j - 1; throw fail("nesting too deep") }
                kinds = kinds << 1 | (c == UInt8(ascii: "{") ? 1 : 0)
                depth += 1
            default:
                guard depth > 0, kinds & 1 == (c == UInt8(ascii: "}") ? 1 : 0) else { i = j - 1; throw fail("unexpected \(Self.describe(c))") }
                kinds >>= 1
                depth -= 1
                if depth == 0 { i = j; return }
            }
        }
        i = j
        throw unexpected("the end of a value")
        }
    }

    /// The high bit of every zero byte of `w` set (and possibly of bytes above
    /// one, never below): the lowest set bit marks the first zero byte.
    @inline(__always) static func zeroByteMask(_ w: UInt64) -> UInt64 {
        (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080
    }

    /// 1 for a quote, 2 for an opening bracket, 3 for a closing one, 0 for the rest.
    private static let structural: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        t[Int(UInt8(ascii: "\""))] = 1
        t[Int(UInt8(ascii: "{"))] = 2
        t[Int(UInt8(ascii: "["))] = 2
        t[Int(UInt8(ascii: "}"))] = 3
        t[Int(UInt8(ascii: "]"))] = 3
        return t
    }()

    /// Passes over an object or array as `skipFast` does and says where it was.
    mutating func spanSkippingFast() throws(JSONParseError) -> Range<Int> {
        skipSpace()
        let start = i
        try skipFast()
        return start..<i
    }

    /// Passes over a value nobody asked for (fields from newer writers).
    mutating func skipValue(depth: Int = 0) throws(JSONParseError) {
        guard depth < 256 else { throw fail("nesting too deep") }
        guard let c = peek() else { throw unexpected("a value") }
        switch c {
        case UInt8(ascii: "\""):
            _ = try rawString("a string")
        case UInt8(ascii: "{"):
            i += 1
            var first = true
            while try nextKey(first: &first) != nil { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            i += 1
            var first = true
            while try nextElement(first: &first) { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            _ = try bool()
        case UInt8(ascii: "n"):
            if !isNull() { throw unexpected("a value") }
        default:
            // Any JSON number, fractions included, so unknown fields never fail a line.
            let begin = i
            while i < bytes.count {
                let d = bytes[i]
                if (d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9")) || d == UInt8(ascii: "-") || d == UInt8(ascii: "+")
                    || d == UInt8(ascii: ".") || d == UInt8(ascii: "e") || d == UInt8(ascii: "E") { i += 1 } else { break }
            }
            if i == begin { throw unexpected("a value") }
        }
    }
}
