import ArgumentParser
import AgentWatchCore

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a command under agentwatch.")
    @Argument(parsing: .captureForPassthrough) var command: [String] = []
    func run() throws {}
}
