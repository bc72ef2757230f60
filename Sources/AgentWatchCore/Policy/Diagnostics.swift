// Diagnostics shared by the loader, the condition parser, the compiler and
// lint. Everything carries a file position so a user can jump to the problem.

public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based.
    public var line: Int
    /// 1-based, in bytes of the line (conditions are ASCII in practice).
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Equatable {
        case error, warning, note
    }

    public var severity: Severity
    public var location: SourceLocation?
    public var message: String
    /// The rule, macro or list the diagnostic is about, when there is one.
    public var subject: String?

    public init(_ severity: Severity, _ message: String, at location: SourceLocation?, subject: String? = nil) {
        self.severity = severity
        self.message = message
        self.location = location
        self.subject = subject
    }

    public var description: String {
        if let l = location { return "\(l): \(severity.rawValue): \(message)" }
        return "\(severity.rawValue): \(message)"
    }
}

extension Array where Element == Diagnostic {
    public var errors: [Diagnostic] { filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { filter { $0.severity == .warning } }
    public var hasErrors: Bool { contains { $0.severity == .error } }
}

/// Thrown for a failure that stops loading a whole file (unreadable, not YAML).
public struct PolicyLoadError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
