import ArgumentParser
import AgentWatchCore

@main
struct AgentWatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agentwatch",
        abstract: "Watch an AI agent's every syscall, and stop it when it goes rogue.",
        subcommands: [Run.self, Lint.self, Rules.self, Fields.self, Report.self, Replay.self, TestCommand.self]
    )
}
