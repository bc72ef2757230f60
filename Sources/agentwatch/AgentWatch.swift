import ArgumentParser
import AgentWatchCore

@main
struct AgentWatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agentwatch",
        abstract: "Watch an AI agent's every syscall, and stop it when it goes rogue.",
        subcommands: subcommands
    )

    static let subcommands: [ParsableCommand.Type] = [Run.self, Lint.self, Rules.self, Fields.self, Report.self, Replay.self, TestCommand.self]

    /// `run` and `replay` load the built-in pack unless told not to: it is
    /// loaded, and compiled unless --policy adds files to it, on the second CPU
    /// while the command line is parsed (PolicyPrefetch). The early work is used
    /// only if the command then asks for those very files.
    ///
    /// A subcommand named first is parsed on its own: going through the root
    /// costs `run` about 1.5 ms more, because ArgumentParser also tries the command
    /// line as a request for a completion script unless the command it parses
    /// has a super-command (why each subcommand names `agentwatch` as its own).
    /// Help, a mistake or an error leaves this path: the root parses the line
    /// again, so every message reads as it always has.
    static func main() {
        let args = CommandLine.arguments.dropFirst()
        let options = args.prefix(while: { $0 != "--" })
        if let sub = args.first, sub == "run" || sub == "replay", !options.contains("--no-defaults"),
           let dir = PolicyFiles.builtinDirectory(executable: CommandLine.arguments[0]) {
            let more = options.contains { $0 == "--policy" || $0.hasPrefix("--policy=") }
            PolicyPrefetch.shared.start(paths: PolicyFiles.expand(dir), compile: !more)
        }
        if let sub = args.first, let command = subcommands.first(where: { $0.configuration.commandName == sub }),
           var parsed = try? command.parseAsRoot(Array(args.dropFirst())) {
            do { try parsed.run() } catch { exit(withError: error) }
            return
        }
        main(nil)
    }
}
