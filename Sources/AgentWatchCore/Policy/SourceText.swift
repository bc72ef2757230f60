// Condition text as the parser sees it, plus the way back to the YAML file.
// Conditions may be folded YAML scalars and may be glued together by
// `append`/`override`, so a byte offset in the text is mapped through the
// pieces it was built from.

/// A loaded policy file's text, shared by every scalar that came from it.
public final class SourceFile: Sendable {
    public let name: String
    let text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }

    /// Only diagnostics that point inside a scalar need lines, so they are cut
    /// on demand rather than for every file loaded.
    func lines(from line: Int, count: Int) -> [Substring] {
        var out: [Substring] = []
        var n = 1
        var start = text.utf8.startIndex
        let end = text.utf8.endIndex
        while out.count < count {
            let next = text.utf8[start...].firstIndex(of: UInt8(ascii: "\n")) ?? end
            if n >= line { out.append(Substring(text.utf8[start..<next])) }
            if next == end { break }
            start = text.utf8.index(after: next)
            n += 1
        }
        return out
    }
}

/// Maps byte offsets of one YAML scalar's value back to file positions.
public struct ScalarOrigin: Sendable {
    public let source: SourceFile
    /// Where the scalar node starts (its indicator or quote, for non-plain styles).
    public let line: Int
    public let column: Int

    public init(source: SourceFile, line: Int, column: Int) {
        self.source = source
        self.line = line
        self.column = column
    }

    var file: String { source.name }
    public var start: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    /// The value's bytes are (almost always) a subsequence of the source bytes:
    /// folding turns line breaks plus indentation into one space, quoting adds
    /// escape characters. A greedy alignment therefore finds where a value byte
    /// came from without re-implementing YAML's scalar rules.
    func location(ofOffset offset: Int, in value: String) -> SourceLocation {
        let v = Array(value.utf8)
        let sourceLines = source.lines(from: max(1, line), count: 400)
        var li = 0
        var lineBytes: [UInt8] = sourceLines.isEmpty ? [] : Array(sourceLines[0].utf8)
        var col = max(0, column - 1)
        func nextLine() -> Bool {
            guard li + 1 < sourceLines.count else { return false }
            li += 1
            lineBytes = Array(sourceLines[li].utf8)
            col = 0
            while col < lineBytes.count, lineBytes[col] == 0x20 || lineBytes[col] == 0x09 { col += 1 }
            return true
        }
        func seek(_ c: UInt8) -> Bool {
            while true {
                if col < lineBytes.count {
                    if lineBytes[col] == c { return true }
                    col += 1
                } else if !nextLine() {
                    return false
                }
            }
        }
        var i = 0
        while i < min(offset, v.count) {
            let c = v[i]
            if c == 0x20 || c == 0x0A || c == 0x09 {
                // Whitespace in the value may stand for a folded line break.
                while col < lineBytes.count, lineBytes[col] != 0x20, lineBytes[col] != 0x09 { col += 1 }
                if col < lineBytes.count { col += 1 } else if !nextLine() { break }
            } else {
                if !seek(c) { break }
                col += 1
            }
            i += 1
        }
        if i < v.count, v[i] != 0x20 { _ = seek(v[i]) }
        return SourceLocation(file: file, line: line + li, column: col + 1)
    }
}

/// A condition string and the scalars it was assembled from.
public struct SourceText: Sendable {
    public private(set) var text: String
    private var pieces: [(start: Int, value: String, origin: ScalarOrigin?)] = []

    public init(_ text: String, origin: ScalarOrigin?) {
        self.text = text
        pieces = [(0, text, origin)]
    }

    /// Falco joins appended conditions with a single space.
    public mutating func append(_ other: SourceText) {
        let base = text.utf8.count + 1
        text += " " + other.text
        for p in other.pieces { pieces.append((p.start + base, p.value, p.origin)) }
    }

    public func location(ofOffset offset: Int) -> SourceLocation? {
        guard let piece = pieces.last(where: { $0.start <= offset }) else { return nil }
        guard let origin = piece.origin else { return nil }
        return origin.location(ofOffset: offset - piece.start, in: piece.value)
    }
}
