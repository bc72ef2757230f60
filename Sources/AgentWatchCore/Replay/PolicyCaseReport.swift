// What `agentwatch test` prints: a line per case and a closing count, or one
// JSON document for tools.

public struct PolicyCaseReport {
    public private(set) var results: [CaseResult] = []
    /// Problems in case files, which keep some or all of their cases from running.
    public private(set) var fileErrors: [Diagnostic] = []
    public private(set) var badFiles: [String] = []

    public init() {}

    public mutating func add(_ r: CaseResult) { results.append(r) }

    public mutating func addBadFile(_ file: String, _ errors: [Diagnostic]) {
        badFiles.append(file)
        fileErrors += errors
    }

    public var passed: Int { results.filter { $0.status == .pass }.count }
    /// Failed cases, and each case file that could not be read whole.
    public var failed: Int { results.filter { $0.status == .fail }.count + badFiles.count }
    public var skipped: Int { results.filter { $0.status == .skip }.count }

    public static func line(_ r: CaseResult) -> String {
        switch r.status {
        case .pass: return "PASS \(r.name)"
        case .fail: return "FAIL \(r.name): \(r.reason) (\(r.location.file):\(r.location.line))"
        case .skip: return "SKIP \(r.name): \(r.reason)"
        }
    }

    /// `file:line: message`, as the case author's editor links it.
    public static func diagnostic(_ d: Diagnostic) -> String {
        guard let at = d.location else { return d.message }
        let kind = d.severity == .warning ? "warning: " : ""
        return "\(at.file):\(at.line): \(kind)\(d.message)"
    }

    public var closingLine: String {
        var s = "\(passed) passed, \(failed) failed"
        if skipped > 0 { s += ", \(skipped) skipped" }
        return s
    }

    public func json() -> String {
        var j = JSONBuilder()
        j.beginObject()
        j.key("cases")
        j.beginArray()
        for r in results {
            j.beginObject()
            j.field("name", r.name)
            j.field("file", r.location.file)
            j.field("line", r.location.line)
            j.field("status", r.status.rawValue)
            if !r.reason.isEmpty { j.field("reason", r.reason) }
            j.key("fired")
            j.beginObject()
            for (rule, n) in r.fired.sorted(by: { $0.key < $1.key }) { j.field(rule, n) }
            j.endObject()
            j.endObject()
        }
        j.endArray()
        j.key("errors")
        j.beginArray()
        for d in fileErrors {
            j.beginObject()
            j.field("file", d.location?.file ?? "")
            j.field("line", d.location?.line ?? 0)
            j.field("severity", d.severity.rawValue)
            j.field("message", d.message)
            j.endObject()
        }
        j.endArray()
        j.field("passed", passed)
        j.field("failed", failed)
        j.field("skipped", skipped)
        j.endObject()
        j.newline()
        return String(decoding: j.bytes, as: UTF8.self)
    }
}
