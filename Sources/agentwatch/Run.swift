import ArgumentParser
import AgentWatchCore
import Glibc

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        _superCommandName: "agentwatch",
        abstract: "Run a command under agentwatch, following every process and thread it starts.",
        discussion: """
            Everything after `--` is the command. Its stdin, stdout, stderr and terminal are its own.

            Examples:
              agentwatch run -- make -j2
              agentwatch run --trace build.jsonl --print -- ./agent.sh
              agentwatch run --all-syscalls --trace full.jsonl -- python3 task.py

            The built-in policy pack loads first (unless --no-defaults); each --policy
            file or directory is applied on top, in order.

            Exit status: the command's own exit code, or 128+N if it died of signal N;
            86 if agentwatch killed the agent for a policy violation; 127 if the command
            was not found, 126 if it could not be executed, 125 if agentwatch itself
            failed, 2 if a policy has errors.

            A rule with `action: pause` stops every traced process. On a terminal you are
            asked: allow once, deny the syscall, or kill. Without one, send SIGUSR1 to
            agentwatch to allow once, SIGUSR2 (or SIGINT/SIGTERM/SIGHUP) to kill.
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

    @Option(name: .long, help: ArgumentHelp("Also trust DNS answers from this resolver (IP for port 53, or IP:PORT) when naming hosts; /etc/resolv.conf's nameservers and 127.0.0.53 are trusted already (repeatable).", valueName: "ADDR"))
    var dnsServer: [String] = []

    @Flag(name: .long, help: "Record the user-space stack of every traced event (alerts always carry one).")
    var stack = false

    @Option(name: .long, help: ArgumentHelp("Bytes kept from each buffer sent on a socket.", valueName: "N"))
    var payloadBytes = 512

    @Option(name: .long, help: ArgumentHelp("What to do with processes alive when the command exits: kill or wait.", valueName: "POLICY"))
    var survivors: String = "kill"

    @OptionGroup var policies: PolicyOptions

    @Option(name: .long, help: ArgumentHelp("enforce (deny, kill, pause as the rules say) or audit (every action becomes an alert).", valueName: "MODE"))
    var mode: String = "enforce"

    @Option(name: .long, help: ArgumentHelp("Write alerts as JSON Lines to FILE (- for stdout).", valueName: "FILE"))
    var alerts: String?

    @Option(name: .long, help: ArgumentHelp("Kill a paused agent when nobody decides within N seconds (0: wait forever).", valueName: "N"))
    var pauseTimeout = 0

    @Argument(parsing: .captureForPassthrough, help: "The command to run, after --.")
    var command: [String] = []

    mutating func validate() throws {
        // `run --help` asks for this page; `run -- --help` runs a program called --help.
        if command.first == "-h" || command.first == "--help" { throw CleanExit.helpRequest(Run.self) }
        if command.first == "--" { command.removeFirst() }
        guard !command.isEmpty else { throw ValidationError("missing the command to run: agentwatch run [options] -- CMD [ARG...]") }
        guard SurvivorPolicy(rawValue: survivors) != nil else { throw ValidationError("--survivors must be kill or wait") }
        guard EnforcementMode(rawValue: mode) != nil else { throw ValidationError("--mode must be enforce or audit") }
        guard payloadBytes >= 0 && payloadBytes <= 65536 else { throw ValidationError("--payload-bytes must be between 0 and 65536") }
    }

    func run() throws {
        // Read while the pack may still be compiling on the other CPU.
        let resolvConf = (try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? ""
        let dnsServers = Array(Set(HostnameTable.systemResolvers(resolvConf) + ["127.0.0.53"] + dnsServer)).sorted()
        // A snapshot: entries the agent adds to /etc/hosts later do not name anything.
        let hosts = HostnameTable.hostsEntries((try? String(contentsOfFile: "/etc/hosts", encoding: .utf8)) ?? "")
        let policySet = try policies.load()
        let engine = PolicyEngine(policies: policySet)
        // Without rules there is nothing to drive the prefilter: record every decoded syscall.
        // A syscall whose rules cannot match a native call (evt.arch = i386…) stops
        // only when made through another ABI, which always stops.
        var traced = policySet.rules.isEmpty ? TraceOptions.decodedSyscalls : engine.nativeSyscalls
        var requested = Set<String>()
        if !syscalls.isEmpty {
            let names = Set(syscalls.flatMap { $0.split(separator: ",").map { String($0).trimmed } }.filter { !$0.isEmpty })
            let unknown = names.filter { SyscallTable.x86_64Number($0) == nil }
            if !unknown.isEmpty {
                throw ValidationError("unknown syscall name(s): \(unknown.sorted().joined(separator: ", "))")
            }
            traced = policySet.rules.isEmpty ? names : traced.union(names)
            requested = names
        }
        var options = TraceOptions(traced: traced)
        options.allSyscalls = allSyscalls || engine.tracesAllSyscalls
        if engine.usesHostnames { traced.formUnion(PolicyEngine.dnsReceiveSyscalls) }
        options.traced = traced
        options.exitNeeded = Set(traced.union(engine.tracedSyscalls).filter { engine.needsExitStop($0) })
        if engine.usesHostnames { options.exitNeeded.formUnion(PolicyEngine.dnsReceiveSyscalls) }
        options.followDNS = engine.usesHostnames
        // Without rules, or with opens named by --syscalls, every open is wanted, directories too.
        options.directoryOpens = policySet.rules.isEmpty || !engine.rulesMatchingDirectoryOpens.isEmpty
            || !requested.isDisjoint(with: ["open", "openat"])
        // Without rules, or with write or writev named by --syscalls, every write is wanted.
        options.stdioWrites = policySet.rules.isEmpty || !engine.rulesMatchingNonSocketWrites.isEmpty
            || !requested.isDisjoint(with: PolicyEngine.stdioWriteSyscalls)
        // Without rules, or with clone named by --syscalls, every clone is wanted.
        options.cloneStopFlags = policySet.rules.isEmpty || requested.contains("clone") ? nil : engine.cloneStopFlags
        options.recordResults = trace != nil || print
        options.payloadLimit = payloadBytes
        options.survivors = SurvivorPolicy(rawValue: survivors) ?? .kill
        options.stackForEveryEvent = stack
        // A trace keeps every fact for replays with other rules; otherwise only what the rules read.
        options.procFacts = trace != nil || print ? .all : policySet.rules.reduce(into: []) { $0.formUnion($1.procFacts) }
        options.hashExecutables = trace != nil || policySet.rules.contains { r in
            r.fieldNames.contains { $0 == "proc.exe.sha256" || $0 == "proc.script.sha256" }
        }

        var writer: TraceWriter?
        if let trace {
            do {
                writer = try TraceWriter(path: trace)
            } catch {
                Stderr.line("agentwatch: cannot write the trace: \(error)")
                throw ExitCode(125)
            }
            var header = TraceHeader(agentwatchVersion: AgentWatchVersion.current, host: Host.name,
                                     command: command, startWall: TraceClock.wall(), tracerPid: getpid(),
                                     dnsServers: dnsServers)
            header.hosts = hosts
            writer?.header(header)
        }
        var sinks: [AlertSink] = [StderrAlertSink()]
        if let alerts {
            if alerts == "-" {
                sinks.append(JSONAlertSink(writer: TraceWriter(fd: 1)))
            } else {
                do {
                    sinks.append(JSONAlertSink(writer: try TraceWriter(path: alerts)))
                } catch {
                    Stderr.line("agentwatch: cannot write the alerts: \(error)")
                    throw ExitCode(125)
                }
            }
        }
        let recorder = RunRecorder(trace: writer, print: print)
        let enforcer = Enforcer(engine: engine, mode: EnforcementMode(rawValue: mode) ?? .enforce, recorder: recorder,
                                alertSinks: sinks, pause: PauseController(timeoutSeconds: pauseTimeout))
        let session = TraceSession(options: options, sink: enforcer)
        enforcer.stacks = session
        session.processes.hostnames.trust(dnsServers)
        session.processes.hostnames.learnHosts(hosts)
        let env = Environment.current
        let outcome: TraceOutcome
        do {
            outcome = try session.run(argv: command, environment: env)
        } catch {
            Stderr.line("agentwatch: \(error)")
            throw ExitCode(error.exitCode)
        }
        enforcer.flush()
        if getenv("AGENTWATCH_STATS") != nil { Stderr.line("agentwatch: " + engine.memoStats) }
        var code = outcome.exitStatus
        if enforcer.violationKill || outcome.killedByVerdict {
            Stderr.line("agentwatch: the agent was killed for a policy violation (exit 86)")
            code = 86
        }
        // Everything is written: exit without tearing down the rules and the
        // process table one object at a time (about a millisecond).
        Glibc.exit(code)
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
