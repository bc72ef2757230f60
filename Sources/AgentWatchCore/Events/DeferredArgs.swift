import Glibc

// Replay reads the arguments of a syscall line as bytes first and decodes them
// only when a rule has to look: most lines of a long trace repeat one seen
// before (the same library opened by the same kind of process), and the
// engine's verdict memo answers those from the bytes alone (see VerdictMemo).

/// The undecoded `args` and `out` objects of one trace line.
public final class DeferredArgs: Sendable, Equatable {
    /// The JSON text of the line's "args" object ("{}" when the line had none).
    public let args: [UInt8]
    /// The JSON text of "out"; empty when the line had none.
    public let out: [UInt8]
    /// The texts' numbers from the reader's TextInterner: equal numbers, equal texts.
    let argsID: Int
    let outID: Int
    /// The number of the args text with every pointer value ({"hex":"0x…"})
    /// emptied: lines that differ only there look alike to rules that read no
    /// argument as such.
    let shapeID: Int
    /// Where the line came from, for an error when its arguments do not decode.
    public let file: String
    public let line: Int

    init(args: TextInterner.Text, shapeID: Int, out: TextInterner.Text, file: String, line: Int) {
        self.args = args.bytes
        self.argsID = args.id
        self.shapeID = shapeID
        self.out = out.bytes
        self.outID = out.id
        self.file = file
        self.line = line
    }

    public static func == (a: DeferredArgs, b: DeferredArgs) -> Bool { a.args == b.args && a.out == b.out }

    /// See `shapeID`: the text's own number when it holds no pointer value.
    static func shapeID(_ text: UnsafeBufferPointer<UInt8>, textID: Int, _ interner: TextInterner) -> Int {
        let marker: StaticString = "{\"hex\":\""
        let m = marker.utf8CodeUnitCount
        // The marker's quotes are bare, so it can only be structure, never inside a string.
        func find(from: Int) -> Int? {
            guard let base = text.baseAddress else { return nil }
            var i = from
            while i + m <= text.count {
                guard let brace = memchr(base + i, Int32(UInt8(ascii: "{")), text.count - m + 1 - i) else { return nil }
                let at = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(brace))
                if memcmp(base + at, marker.utf8Start, m) == 0 { return at }
                i = at + 1
            }
            return nil
        }
        guard let base = text.baseAddress, var next = find(from: 0) else { return textID }
        var shape: [UInt8] = []
        shape.reserveCapacity(text.count)
        var i = 0
        while true {
            let at = next + m
            shape.append(contentsOf: UnsafeBufferPointer(start: base + i, count: at - i))
            i = at
            while i < text.count, base[i] != UInt8(ascii: "\"") { i += 1 }
            guard let n = find(from: i) else { break }
            next = n
        }
        shape.append(contentsOf: UnsafeBufferPointer(start: base + i, count: text.count - i))
        return shape.withUnsafeBufferPointer { interner.intern($0).id }
    }

    /// The text a line without "args" stands for.
    static let emptyObject = StaticString("{}")

    /// `span` of `line` interned, or "{}" / nothing when the key was absent.
    static func text(_ line: UnsafeBufferPointer<UInt8>, _ span: Range<Int>?, _ interner: TextInterner,
                     orEmptyObject: Bool) -> TextInterner.Text {
        if let span { return interner.intern(UnsafeBufferPointer(rebasing: line[span])) }
        guard orEmptyObject else { return TextInterner.Text(bytes: [], id: 0) }
        return interner.intern(UnsafeBufferPointer(start: emptyObject.utf8Start, count: emptyObject.utf8CodeUnitCount))
    }

    /// The arguments decoded, as the reader would have decoded them eagerly.
    func decode(_ text: [UInt8], cache: StringCache?) throws(TraceDiagnostic) -> [Arg] {
        if text.isEmpty { return [] }
        let decoded: Result<[Arg], JSONParseError> = text.withUnsafeBufferPointer { buf in
            var c = JSONCursor(buf, cache: cache)
            do throws(JSONParseError) {
                let a = try ArgDecoder.args(&c)
                try c.expectEnd()
                return .success(a)
            } catch {
                return .failure(error)
            }
        }
        switch decoded {
        case .success(let a): return a
        case .failure(let e): throw TraceDiagnostic(file: file, line: line, message: "arguments: \(e.message)")
        }
    }
}

extension Event {
    /// This event with a deferred line's arguments decoded; others unchanged.
    func materialized(cache: StringCache? = nil) throws(TraceDiagnostic) -> Event {
        guard case .syscall(var sc) = kind, let d = sc.deferred else { return self }
        sc.args = try d.decode(d.args, cache: cache)
        if var x = sc.exit {
            x.out = try d.decode(d.out, cache: cache)
            sc.exit = x
        }
        sc.deferred = nil
        var e = self
        e.kind = .syscall(sc)
        return e
    }
}
