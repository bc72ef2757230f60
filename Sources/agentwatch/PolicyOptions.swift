import ArgumentParser
import AgentWatchCore

/// The policy files a command loads: the built-in pack, then each --policy on top.
struct PolicyOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A policy file or directory, applied on top of the built-in pack (repeatable).", valueName: "PATH"))
    var policy: [String] = []

    @Flag(name: .long, help: "Do not load the built-in policy pack.")
    var noDefaults = false

    var files: [String] {
        var out: [String] = []
        if !noDefaults, let dir = PolicyFiles.builtinDirectory(executable: CommandLine.arguments[0]) {
            out += PolicyFiles.expand(dir)
        }
        for p in policy { out += PolicyFiles.expand(p) }
        return out
    }

    /// Loads and compiles; prints every error (and warnings for the user's own files)
    /// as file:line:col and fails on errors.
    func load(quietWarnings: Bool = true) throws -> PolicySet {
        for p in policy where !PolicyFiles.isDirectory(p) {
            if !FileExists.check(p) {
                Stderr.line("agentwatch: \(p): no such policy file or directory")
                throw ExitCode(2)
            }
        }
        let set = PolicySet.load(paths: files)
        for d in set.diagnostics where d.severity == .error || !quietWarnings { Stderr.line(d.description) }
        if !set.errors.isEmpty {
            Stderr.line("agentwatch: \(set.errors.count) error(s) in the policies; nothing was run")
            throw ExitCode(2)
        }
        return set
    }
}

import Glibc
enum FileExists {
    static func check(_ p: String) -> Bool { access(p, F_OK) == 0 }

    /// Files and directories given on the command line, expanded to policy files;
    /// a missing one is a one-line error and exit 2.
    static func policyFiles(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for p in paths {
            if !PolicyFiles.isDirectory(p) && !check(p) {
                Stderr.line("agentwatch: \(p): no such file or directory")
                throw ExitCode(2)
            }
            files += PolicyFiles.expand(p)
        }
        return files
    }
}
