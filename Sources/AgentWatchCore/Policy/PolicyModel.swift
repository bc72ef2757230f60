// Declarations as loaded from YAML, after merging files (append, override,
// enabled toggles) and before compilation.

public enum Priority: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    // Falco's order: lower raw value is more severe.
    case emergency = 0, alert, critical, error, warning, notice, informational, debug

    public init?(name: String) {
        switch name.lowercased() {
        case "emergency": self = .emergency
        case "alert": self = .alert
        case "critical": self = .critical
        case "error": self = .error
        case "warning": self = .warning
        case "notice": self = .notice
        case "informational", "info": self = .informational
        case "debug": self = .debug
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .emergency: return "Emergency"
        case .alert: return "Alert"
        case .critical: return "Critical"
        case .error: return "Error"
        case .warning: return "Warning"
        case .notice: return "Notice"
        case .informational: return "Informational"
        case .debug: return "Debug"
        }
    }

    /// More severe compares greater, so `p >= .warning` reads naturally.
    public static func < (a: Priority, b: Priority) -> Bool { a.rawValue > b.rawValue }
}

/// What the tracer does when a rule matches.
public enum PolicyAction: String, Sendable, CaseIterable {
    case log, alert, deny, kill, pause

    /// Actions that must act before the syscall runs.
    public var isPreventive: Bool { self == .deny || self == .pause }
}

public enum KillScope: String, Sendable {
    /// The offending process and all its descendants.
    case tree
    case process
}

public struct ListDecl: Sendable {
    public struct Item: Sendable {
        public var text: String
        /// Quoted items are literals, never names of other lists.
        public var quoted: Bool
    }
    public var name: String
    public var items: [Item]
    public var location: SourceLocation
}

public struct MacroDecl: Sendable {
    public var name: String
    public var condition: SourceText
    public var location: SourceLocation
}

public struct ExceptionDecl: Sendable {
    public enum Value: Sendable {
        case scalar(String, quoted: Bool)
        case list([String])
    }
    public var name: String
    /// One field, or a tuple of fields (values are then tuples).
    public var fields: [String]
    public var fieldsIsList: Bool
    public var comps: [String]
    public var values: [[Value]]
    public var location: SourceLocation
}

public struct SequenceDecl: Sendable {
    public var steps: [SourceText]
    public var stepLocations: [SourceLocation]
    /// Field whose value keys partial matches.
    public var by: String
    public var byLocation: SourceLocation?
    /// Nanoseconds from the first step to the last.
    public var within: UInt64
}

public struct RuleDecl: Sendable {
    public var name: String
    public var desc: String = ""
    public var condition: SourceText?
    public var output: String = ""
    public var priority: Priority = .warning
    public var tags: [String] = []
    public var enabled: Bool = true
    public var exceptions: [ExceptionDecl] = []
    public var source: String = "syscall"
    public var skipIfUnknownFilter = false
    public var warnEvttypes = true
    public var action: PolicyAction = .alert
    public var errno: Int32 = 1
    public var scope: KillScope = .tree
    public var sequence: SequenceDecl?
    public var location: SourceLocation
    /// Keys present in the YAML, for diagnostics that need to point at one.
    public var keyLocations: [String: SourceLocation] = [:]
}

/// Every list, macro and rule after merging all files, in definition order.
public struct PolicyDocument: Sendable {
    public var lists: [String: ListDecl] = [:]
    public var macros: [String: MacroDecl] = [:]
    public var rules: [RuleDecl] = []
    public var listOrder: [String] = []
    public var macroOrder: [String] = []
    public var diagnostics: [Diagnostic] = []
    public var files: [String] = []

    public init() {}

    func ruleIndex(_ name: String) -> Int? { rules.firstIndex { $0.name == name } }
}
