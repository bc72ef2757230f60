// The parsed form of a Falco condition, before macros and lists are resolved
// and before fields are bound to extractors.

/// Byte range of a node in its `SourceText`, for diagnostics.
public struct TextSpan: Sendable, Equatable {
    public var start: Int
    public var end: Int
    public init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = end
    }
}

public enum CompareOp: String, Sendable, CaseIterable {
    case eq = "="
    case eqeq = "=="
    case ne = "!="
    case lt = "<"
    case le = "<="
    case gt = ">"
    case ge = ">="
    case contains, icontains, bcontains, startswith, bstartswith, endswith
    case glob, iglob, regex
    case `in`, intersects, pmatch

    /// Operators whose right-hand side is a parenthesized list.
    public var takesList: Bool {
        switch self {
        case .in, .intersects, .pmatch: return true
        default: return false
        }
    }

    static let words: [String: CompareOp] = {
        var m: [String: CompareOp] = [:]
        for op in CompareOp.allCases where op.rawValue.first?.isLetter == true { m[op.rawValue] = op }
        return m
    }()
}

/// `tolower(fd.name)` and friends, applied to a field before comparing.
public enum Transformer: String, Sendable, CaseIterable {
    case tolower, toupper, b64, basename
}

/// A field as written: name, optional `[arg]`, optional transformers (outermost first).
public struct FieldRef: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var arg: String?
    public var transformers: [Transformer]
    public var span: TextSpan

    public init(name: String, arg: String? = nil, transformers: [Transformer] = [], span: TextSpan) {
        self.name = name
        self.arg = arg
        self.transformers = transformers
        self.span = span
    }

    /// Canonical text, as Falco prints it in outputs and we key captures by.
    public var description: String {
        var s = name
        if let a = arg { s += "[\(a)]" }
        for t in transformers { s = "\(t.rawValue)(\(s))" }
        return s
    }

    public static func == (a: FieldRef, b: FieldRef) -> Bool {
        a.name == b.name && a.arg == b.arg && a.transformers == b.transformers
    }
}

/// One item of a right-hand side.
public enum Operand: Sendable, Equatable {
    /// A literal; `quoted` literals are never taken as list names.
    case literal(String, quoted: Bool, span: TextSpan)
    /// `val(field)`: compare with another field of the same event.
    case field(FieldRef)
    /// `step[N].field` / `$N.field`: a value captured by an earlier sequence step (1-based).
    case stepRef(Int, FieldRef)
}

public indirect enum ConditionExpr: Sendable, Equatable {
    case and([ConditionExpr])
    case or([ConditionExpr])
    case not(ConditionExpr)
    /// A macro reference (a bare identifier).
    case macro(String, TextSpan)
    case compare(FieldRef, CompareOp, [Operand], isList: Bool)
    case exists(FieldRef)
    /// Constant produced by resolution (an empty `or`, a disabled part).
    case constant(Bool)
}
