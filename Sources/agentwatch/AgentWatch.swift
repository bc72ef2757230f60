import ArgumentParser
import AgentWatchCore

@main
struct AgentWatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agentwatch",
        abstract: "Watch an AI agent's every syscall, and stop it when it goes rogue.",
        subcommands: [Run.self, Lint.self, Rules.self, Fields.self, Report.self, Replay.self, TestCommand.self]
    )

    /// `run` and `replay` load the built-in pack unless told not to: its YAML is
    /// parsed on the second CPU while the command line is (PolicyPrefetch). The
    /// parse is used only if the command then asks for those very files.
    static func main() {
        let args = CommandLine.arguments.dropFirst()
        if let sub = args.first, sub == "run" || sub == "replay",
           !args.prefix(while: { $0 != "--" }).contains("--no-defaults"),
           let dir = PolicyFiles.builtinDirectory(executable: CommandLine.arguments[0]) {
            PolicyPrefetch.start(paths: PolicyFiles.expand(dir))
        }
        main(nil)
    }
}
