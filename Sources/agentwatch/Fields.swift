import ArgumentParser
import AgentWatchCore

struct Fields: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fields",
        _superCommandName: "agentwatch",
        abstract: "List every field a condition or an output can use, with its meaning (Markdown).",
        discussion: "The same table as the Fields section of docs/policy-language.md (make docs regenerates it)."
    )

    func run() throws { print(FieldTable.documentation(), terminator: "") }
}
