// A byte-level JSON writer: trace lines are produced on the tracer's thread
// for every event, so they avoid Foundation's encoders and intermediate strings.

public struct JSONBuilder {
    public var bytes: [UInt8] = []
    /// Whether the container being written already holds a value.
    private var filled: [Bool] = []
    private var afterKey = false

    public init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    private mutating func separate() {
        if afterKey { afterKey = false; return }
        guard let last = filled.last else { return }
        if last { bytes.append(UInt8(ascii: ",")) }
        filled[filled.count - 1] = true
    }

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); filled.append(false) }
    public mutating func endObject() { filled.removeLast(); bytes.append(UInt8(ascii: "}")) }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); filled.append(false) }
    public mutating func endArray() { filled.removeLast(); bytes.append(UInt8(ascii: "]")) }

    public mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func string(_ s: String) { separate(); appendQuoted(s) }
    public mutating func latin1(_ b: [UInt8]) { separate(); appendQuotedBytes(b) }
    public mutating func int<T: BinaryInteger>(_ v: T) { separate(); bytes.append(contentsOf: String(v).utf8) }
    public mutating func bool(_ v: Bool) { separate(); bytes.append(contentsOf: (v ? "true" : "false").utf8) }
    public mutating func null() { separate(); bytes.append(contentsOf: "null".utf8) }

    public mutating func field(_ name: String, _ s: String) { key(name); string(s) }
    public mutating func field<T: BinaryInteger>(_ name: String, _ v: T) { key(name); int(v) }
    public mutating func field(_ name: String, _ v: Bool) { key(name); bool(v) }
    public mutating func field(_ name: String, strings: [String]) {
        key(name)
        beginArray()
        for s in strings { string(s) }
        endArray()
    }

    public mutating func newline() { bytes.append(10) }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func escape(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34]); return true
        case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92]); return true
        case 10: bytes.append(contentsOf: [92, UInt8(ascii: "n")]); return true
        case 13: bytes.append(contentsOf: [92, UInt8(ascii: "r")]); return true
        case 9: bytes.append(contentsOf: [92, UInt8(ascii: "t")]); return true
        case 0..<32, 127:
            bytes.append(contentsOf: Array("\\u00".utf8))
            bytes.append(Self.hex[Int(c >> 4)])
            bytes.append(Self.hex[Int(c & 15)])
            return true
        default: return false
        }
    }

    private mutating func appendQuoted(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for c in s.utf8 where !escape(c) { bytes.append(c) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Bytes as code points U+0000–U+00FF, so arbitrary binary payloads round-trip.
    private mutating func appendQuotedBytes(_ b: [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for c in b where !escape(c) {
            if c < 0x80 {
                bytes.append(c)
            } else {
                bytes.append(0xC0 | (c >> 6))
                bytes.append(0x80 | (c & 0x3F))
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
