// A policy test case: policies, events, and what the rules must (not) do with them.

public struct PolicyCase {
    public enum Source {
        /// Trace lines written inline in the case file.
        case events(InlineEvents)
        /// A trace file or strace log (format detected), or forced to strace.
        case file(String, ReplayFormat)
        /// A command run live under `agentwatch run --trace`, then replayed.
        case run([String], timeout: Double)
    }

    /// A rule that must fire, optionally with this action, this many times, on this event.
    public struct Expectation {
        public var rule: String
        public var action: String?
        public var count: Int?
        public var seq: UInt64?
        public var syscall: String?
        public var location: SourceLocation
    }

    public var name: String
    public var location: SourceLocation
    /// Policy files and directories, resolved against the case file's directory.
    public var policies: [String]
    /// Load the built-in pack first.
    public var defaults: Bool
    public var source: Source
    /// Directory of the case file: live commands run there.
    public var directory: String
    public var expect: [Expectation]
    public var expectNot: [(rule: String, location: SourceLocation)]
    /// A known gap: run, reported as skipped with this reason.
    public var todo: String?
}
