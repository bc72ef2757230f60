import ArgumentParser
import AgentWatchCore

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        _superCommandName: "agentwatch",
        abstract: "Run policies over a recorded trace or an strace log, as `run` would have.",
        discussion: """
            Each event goes through the same process table and engine as a live run, in the
            order the live engine saw it; the action an alert names is what the live run would
            have done (nothing is enforced). Reads `agentwatch run --trace` files and strace
            logs (`strace -f`, with or without -tt/-ttt/-T/-yy/-s; an `strace -ff -o PREFIX`
            prefix). Policies load as for `run`: the built-in pack, then each --policy.

            Alerts go to stdout as human lines; --alerts FILE writes them as JSON Lines
            (the schema of `run --alerts`).

            Exit status: 0 when no rule matched at or above --fail-on, 1 when one did, 2 when
            an input cannot be read (the first bad line as file:line: message) or a policy
            has errors.

            Examples:
              agentwatch replay run.jsonl
              agentwatch replay --no-defaults --policy mine.yaml --summary capture.strace
              agentwatch replay --pid 4242 --since 2026-11-28T16:41:00Z run.jsonl
            """
    )

    @Argument(help: "Traces, strace logs or `strace -ff` prefixes, replayed one after the other.")
    var traces: [String] = []

    @OptionGroup var policies: PolicyOptions

    @Option(name: .long, help: ArgumentHelp("Write alerts as JSON Lines to FILE (- for stdout, instead of the human lines).", valueName: "FILE"))
    var alerts: String?

    @Option(name: .long, help: ArgumentHelp("auto, agentwatch or strace.", valueName: "FORMAT"))
    var format: String = "auto"

    @Option(name: .long, help: ArgumentHelp("Only evaluate this process and its descendants (repeatable).", valueName: "N"))
    var pid: [Int32] = []

    @Option(name: .long, help: ArgumentHelp("Only evaluate events from T on: seconds from the trace's start, or ISO-8601 wall time.", valueName: "T"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Only evaluate events up to T (same forms as --since).", valueName: "T"))
    var until: String?

    @Flag(name: .long, help: "After the alerts, print counts per rule and the process tree of the alerting processes.")
    var summary = false

    @Option(name: .long, help: ArgumentHelp("Exit 1 when a rule at or above this priority matched.", valueName: "PRIORITY"))
    var failOn: String = "WARNING"

    mutating func validate() throws {
        guard !traces.isEmpty else { throw ValidationError("missing the trace to replay: agentwatch replay TRACE...") }
        guard ReplayFormat(rawValue: format) != nil else { throw ValidationError("--format must be auto, agentwatch or strace") }
        guard Priority(name: failOn) != nil else {
            throw ValidationError("--fail-on must be a priority: EMERGENCY ALERT CRITICAL ERROR WARNING NOTICE INFORMATIONAL DEBUG")
        }
        if let since, ReplayTime(since) == nil { throw ValidationError("--since: seconds from the trace's start or an ISO-8601 time") }
        if let until, ReplayTime(until) == nil { throw ValidationError("--until: seconds from the trace's start or an ISO-8601 time") }
    }

    func run() throws {
        let policySet = try policies.load()
        let worst = WorstPrioritySink()
        let tally = ReplaySummary()
        var sinks: [AlertSink] = [worst]
        if summary { sinks.append(tally) }
        if alerts == "-" {
            sinks.append(JSONAlertSink(writer: TraceWriter(fd: 1)))
        } else {
            sinks.append(StdoutAlertSink())
            if let alerts {
                do {
                    sinks.append(JSONAlertSink(writer: try TraceWriter(path: alerts)))
                } catch {
                    Stderr.line("agentwatch: cannot write the alerts: \(error)")
                    throw ExitCode(125)
                }
            }
        }
        let filter = ReplayFilter(pids: Set(pid), since: since.flatMap(ReplayTime.init), until: until.flatMap(ReplayTime.init))
        let driver = ReplayDriver(policies: policySet, sinks: sinks, filter: filter)
        let chosen = ReplayFormat(rawValue: format) ?? .auto
        for path in traces {
            do {
                let input = try ReplayInput(path: path, format: chosen)
                let stats = try driver.replay(input)
                for w in stats.warnings { Stderr.line("\(w.description) (warning)") }
                if filter.since.map({ if case .wall = $0 { return true }; return false }) == true, input.format == .strace,
                   stats.evaluated == 0, stats.events > 0 {
                    Stderr.line("agentwatch: \(path): no wall-clock times in this strace log (record with -tt or -ttt); --since/--until in ISO-8601 kept nothing")
                }
            } catch {
                for s in sinks { s.flush() }
                Stderr.line(error.description)
                throw ExitCode(2)
            }
        }
        for s in sinks { s.flush() }
        if summary { print(tally.render(), terminator: "") }
        if worst.reached(Priority(name: failOn) ?? .warning) { throw ExitCode(1) }
    }
}
