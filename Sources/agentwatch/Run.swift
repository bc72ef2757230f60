import ArgumentParser
import AgentWatchCore
import Glibc

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command under agentwatch, following every process and thread it starts.",
        discussion: """
            Everything after `--` is the command. Its stdin, stdout, stderr and terminal are its own.

            Examples:
              agentwatch run -- make -j2
              agentwatch run --trace build.jsonl --print -- ./agent.sh
              agentwatch run --all-syscalls --trace full.jsonl -- python3 task.py

            Exit status: the command's own exit code, or 128+N if it died of signal N;
            127 if the command was not found, 126 if it could not be executed,
            125 if agentwatch itself failed.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Write every event as JSON Lines to FILE (see docs/trace-format.md).", valueName: "FILE"))
    var trace: String?

    @Flag(name: .long, help: "Print one strace-like line per event on stderr.")
    var print = false

    @Flag(name: .long, help: "Stop at every syscall, not only the ones a policy or the decoders need (slow, complete).")
    var allSyscalls = false

    @Option(name: .long, parsing: .upToNextOption,
            help: ArgumentHelp("Trace only these syscalls (comma-separated), instead of every decoded one.", valueName: "NAMES"))
    var syscalls: [String] = []

    @Option(name: .long, help: ArgumentHelp("Bytes kept from each buffer sent on a socket.", valueName: "N"))
    var payloadBytes = 512

    @Option(name: .long, help: ArgumentHelp("What to do with processes alive when the command exits: kill or wait.", valueName: "POLICY"))
    var survivors: String = "kill"

    @Argument(parsing: .captureForPassthrough, help: "The command to run, after --.")
    var command: [String] = []

    mutating func validate() throws {
        if command.first == "--" { command.removeFirst() }
        guard !command.isEmpty else { throw ValidationError("missing the command to run: agentwatch run [options] -- CMD [ARG...]") }
        guard SurvivorPolicy(rawValue: survivors) != nil else { throw ValidationError("--survivors must be kill or wait") }
        guard payloadBytes >= 0 && payloadBytes <= 65536 else { throw ValidationError("--payload-bytes must be between 0 and 65536") }
    }

    func run() throws {
        var traced = TraceOptions.decodedSyscalls
        if !syscalls.isEmpty {
            let names = Set(syscalls.flatMap { $0.split(separator: ",").map { String($0).trimmed } }.filter { !$0.isEmpty })
            let unknown = names.filter { SyscallTable.x86_64Number($0) == nil }
            if !unknown.isEmpty {
                throw ValidationError("unknown syscall name(s): \(unknown.sorted().joined(separator: ", "))")
            }
            traced = names
        }
        var options = TraceOptions(traced: traced)
        options.allSyscalls = allSyscalls
        options.recordResults = trace != nil || print
        options.payloadLimit = payloadBytes
        options.survivors = SurvivorPolicy(rawValue: survivors) ?? .kill

        var writer: TraceWriter?
        if let trace {
            do {
                writer = try TraceWriter(path: trace)
            } catch {
                Stderr.line("agentwatch: cannot write the trace: \(error)")
                throw ExitCode(125)
            }
            writer?.header(TraceHeader(agentwatchVersion: AgentWatchVersion.current, host: Host.name,
                                       command: command, startWall: TraceClock.wall(), tracerPid: getpid()))
        }
        let recorder = RunRecorder(trace: writer, print: print)
        let session = TraceSession(options: options, sink: recorder)
        let env = Environment.current
        do {
            let outcome = try session.run(argv: command, environment: env)
            recorder.flush()
            throw ExitCode(outcome.exitStatus)
        } catch let e as SpawnError {
            Stderr.line("agentwatch: \(e)")
            throw ExitCode(e.exitCode)
        }
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
