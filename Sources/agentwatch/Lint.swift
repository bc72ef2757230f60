import ArgumentParser
import AgentWatchCore

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        _superCommandName: "agentwatch",
        abstract: "Check policy files: syntax, fields, macros, lists, and when each rule can act.",
        discussion: """
            Diagnostics read `file:line:col: error|warning: message`. Loads the files in
            order, as `run --policy` would (add --with-defaults to check them on top of the
            built-in pack). Exit status: 0 without errors, 1 with errors, 2 if a file is missing.

            Examples:
              agentwatch lint my-rules.yaml
              agentwatch lint --timing Policies/
              agentwatch lint --with-defaults overrides.yaml
            """
    )

    @Argument(help: "Policy files or directories.")
    var paths: [String] = []

    @Flag(name: .long, help: "Load the built-in pack first, as `run` does.")
    var withDefaults = false

    @Flag(name: .long, help: "Say for each rule whether it acts at syscall entry (before it runs) or at exit.")
    var timing = false

    func run() throws {
        var files: [String] = []
        if withDefaults, let dir = PolicyFiles.builtinDirectory(executable: CommandLine.arguments[0]) {
            files += PolicyFiles.expand(dir)
        }
        files += try FileExists.policyFiles(paths)
        guard !files.isEmpty else { throw ValidationError("no policy files to check") }
        let set = PolicySet.load(paths: files)
        for d in PolicyLint.sorted(set) { print(d.description) }
        if timing {
            for r in set.rules {
                let when = r.eventTypes.complement ? "any syscall" : r.eventTypes.names.sorted().joined(separator: ",")
                let exit = r.eventTypes.names.contains { r.needsExit($0) }
                print("\(r.location): rule \(r.name): action \(r.action.rawValue), evaluated at \(exit ? "exit (after the syscall ran)" : "entry (before the syscall runs)") on \(when)")
            }
            let engine = PolicyEngine(policies: set)
            let foreignOnly = engine.tracedSyscalls.subtracting(engine.nativeSyscalls)
            if !foreignOnly.isEmpty {
                print("prefilter: stop only when made through another ABI (int 0x80, x32), no rule matching a native call: \(foreignOnly.sorted().joined(separator: ", "))")
            }
            let dirRules = engine.rulesMatchingDirectoryOpens
            if dirRules.isEmpty {
                print("prefilter: opens of directories run without a stop (no rule can match one)")
            } else {
                print("prefilter: opens of directories stop, for: \(dirRules.joined(separator: ", ")) (add `fd.type != directory` where a directory cannot matter)")
            }
            let writeRules = engine.rulesMatchingNonSocketWrites
            let writesStop = PolicyEngine.stdioWriteSyscalls.contains(where: engine.nativeSyscalls.contains)
            if writesStop && writeRules.isEmpty {
                print("prefilter: writes to stdin, stdout and stderr run without a stop while none of them is a socket (no rule can match a write that sends nothing on a socket)")
            } else if writesStop {
                print("prefilter: writes to stdin, stdout and stderr stop, for: \(writeRules.joined(separator: ", ")) (a rule that reads only sent bytes, evt.buffer or fd.dns.query, cannot match them)")
            }
        }
        let errors = set.errors.count, warnings = set.diagnostics.warnings.count
        print("\(set.rules.count) rule(s) can run, \(set.skipped.count) cannot; \(errors) error(s), \(warnings) warning(s)")
        if errors > 0 { throw ExitCode(1) }
    }
}
