import ArgumentParser
import AgentWatchCore

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        _superCommandName: "agentwatch",
        abstract: "Run policy test cases: events in, the rules that must and must not fire.",
        discussion: """
            A case file (YAML) names policy files, gives events (inline, a trace, an strace
            log, or a command run live under agentwatch) and what must happen: rules that
            fire (with an action, a count, on an event) and rules that stay quiet. Cases
            marked `todo: reason` run but are reported as skipped. See docs/policy-testing.md.

            Prints PASS/FAIL/SKIP per case, then `N passed, N failed` (`, N skipped`).
            Exit status: 0 when every case passed, 1 when one failed, 2 when a case file
            has errors (reported as file:line: message) or a path does not exist.

            Examples:
              agentwatch test                       # the built-in pack's own cases
              agentwatch test my-rules.test.yaml
              agentwatch test --format json tests/
            """
    )

    @Argument(help: "Case files or directories of them (default: the built-in pack's tests).")
    var paths: [String] = []

    @Option(help: "text or json.")
    var format: String = "text"

    @Option(name: .customLong("case"), help: ArgumentHelp("Only run cases whose name contains TEXT.", valueName: "TEXT"))
    var only: String?

    mutating func validate() throws {
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
    }

    func run() throws {
        let builtin = PolicyFiles.builtinDirectory(executable: CommandLine.arguments[0])
        var roots = paths
        if roots.isEmpty {
            guard let builtin else { throw ValidationError("no case files given and no built-in pack found") }
            roots = [builtin + "/tests"]
        }
        var files: [String] = []
        for p in roots {
            if !PolicyFiles.isDirectory(p) && !FileExists.check(p) {
                Stderr.line("agentwatch: \(p): no such file or directory")
                throw ExitCode(2)
            }
            files += PolicyFiles.expand(p)
        }
        let me = FileExists.selfExecutable ?? CommandLine.arguments[0]
        let runner = PolicyCaseRunner(agentwatch: me, builtinDirectory: builtin)
        var report = PolicyCaseReport()
        let text = format == "text"
        for file in files {
            let (cases, diagnostics) = PolicyCaseLoader.load(path: file)
            for d in diagnostics { Stderr.line(PolicyCaseReport.diagnostic(d)) }
            let errors = diagnostics.filter { $0.severity == .error }
            if !errors.isEmpty {
                report.addBadFile(file, errors)
                if text { print("FAIL \(file): \(errors.count) error(s) in the case file") }
            }
            for c in cases where only.map({ c.name.contains($0) }) ?? true {
                let r = runner.run(c)
                report.add(r)
                if text { print(PolicyCaseReport.line(r)) }
            }
        }
        if text { print(report.closingLine) } else { print(report.json(), terminator: "") }
        if !report.badFiles.isEmpty { throw ExitCode(2) }
        if report.failed > 0 { throw ExitCode(1) }
    }
}

import Glibc

extension FileExists {
    /// This binary, for live cases that run agentwatch again in a child.
    static var selfExecutable: String? {
        var buf = [CChar](repeating: 0, count: 4097)
        let n = buf.withUnsafeMutableBufferPointer { b in b.baseAddress.map { readlink("/proc/self/exe", $0, 4096) } ?? -1 }
        guard n > 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
