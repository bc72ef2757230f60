import ArgumentParser
import AgentWatchCore
import Foundation

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        _superCommandName: "agentwatch",
        abstract: "Turn a trace into an incident report: process tree, timeline, alerts with their stacks.",
        discussion: """
            The HTML report is one self-contained file (inline style, no scripts, nothing
            fetched), safe to attach to a ticket. --format md writes a Markdown summary.
            Alerts come from the trace itself (`run --trace` records them).

            Examples:
              agentwatch report run.jsonl -o incident.html
              agentwatch report run.jsonl --format md > incident.md
            """
    )

    @Argument(help: "A trace written by `agentwatch run --trace`.")
    var trace: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the report here instead of stdout.", valueName: "FILE"))
    var output: String?

    @Option(help: "html or md.")
    var format: String = "html"

    mutating func validate() throws {
        guard ["html", "md"].contains(format) else { throw ValidationError("--format must be html or md") }
    }

    func run() throws {
        var model = ReportModel()
        let source: TraceSource
        do {
            source = try TraceSource(path: trace)
        } catch {
            Stderr.line("agentwatch: \(error)")
            throw ExitCode(2)
        }
        model.header = source.header
        do {
            while let e = try source.next() { model.add(e) }
        } catch {
            Stderr.line("agentwatch: \(error)")
            throw ExitCode(2)
        }
        for w in source.warnings { Stderr.line("agentwatch: warning: \(w)") }
        // Alerts are their own lines in the trace; the event reader passes over them.
        if let data = FileManager.default.contents(atPath: trace) {
            for line in data.split(separator: 10) where line.count < 1 << 20 {
                guard line.firstRange(of: Data("\"ev\":\"alert\"".utf8)) != nil,
                      let obj = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { continue }
                model.addAlert(obj)
            }
        }
        let text = format == "md" ? ReportMarkdown.render(model) : ReportHTML.render(model)
        if let output {
            do {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                Stderr.line("agentwatch: cannot write \(output): \(error.localizedDescription)")
                throw ExitCode(125)
            }
        } else {
            print(text, terminator: "")
        }
    }
}
