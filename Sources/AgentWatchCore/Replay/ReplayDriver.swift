#if canImport(Glibc)
import Glibc
#endif
// Replays one input through the engine `run` uses: each event in engine order
// goes to ProcessTable.apply, then to an Enforcer, exactly as the live tracer
// hands it over. Verdicts are reported (the alert's action is what the live
// run would have done) but nothing is enforced: there is nothing to run.

public struct ReplayStats: Sendable {
    /// Events (syscall entry and exit views counted apart) the process table saw.
    public var events = 0
    /// Events the filter let through to the engine.
    public var evaluated = 0
    public var alerts = 0
    /// Syscall views answered by the verdict memo without decoding their arguments.
    public var memoHits = 0
    /// Syscall views the content memo answered without running the rules.
    public var contentMemoHits = 0
    /// Problems that did not stop reading (a cut last line, skipped records).
    public var warnings: [TraceDiagnostic] = []
}

public final class ReplayDriver {
    let policies: PolicySet
    let sinks: [AlertSink]
    let filter: ReplayFilter
    /// Sees every match, `log` rules included.
    public var onMatch: ((Alert) -> Void)?
    /// Ended processes kept before being forgotten: late views of a process's
    /// last syscalls still find it, and memory stays bounded on long traces.
    public var endedKept = 4096
    /// Off: every line's arguments are decoded and every event evaluated in
    /// full (the memo's differential tests compare against this).
    public var useVerdictMemo = true
    /// Off: the content memo (ContentMemo) never answers either.
    public var useContentMemo = true
    /// Off: every gate runs, none is turned away by its path texts (PathSieve).
    public var useSieve = true

    public init(policies: PolicySet, sinks: [AlertSink], filter: ReplayFilter = ReplayFilter()) {
        self.policies = policies
        self.sinks = sinks
        self.filter = filter
    }

    /// Replays one input from its start; a new engine and process table each
    /// time, since separate traces are separate runs.
    public func replay(_ input: ReplayInput) throws(TraceDiagnostic) -> ReplayStats {
        let engine = PolicyEngine(policies: policies)
        engine.useContentMemo = useContentMemo
        engine.useSieve = useSieve
        let enforcer = Enforcer(engine: engine, mode: .enforce, recorder: RunRecorder(trace: nil, print: false),
                                alertSinks: sinks, pause: PauseController(useTTY: false))
        var stats = ReplayStats()
        enforcer.onMatch = { [onMatch] a in
            stats.alerts += 1
            onMatch?(a)
        }
        let processes = ProcessTable()
        // The live run's view of names: its trusted resolvers and its /etc/hosts snapshot.
        if let h = input.header {
            processes.hostnames.trust(h.dnsServers)
            processes.hostnames.learnHosts(h.hosts)
        }
        let state = ReplayFilterState(filter)
        var ended = EndedProcesses(capacity: endedKept)
        let everything = filter.isEmpty
        let events = input.events
        // Arguments nobody reads need not be decoded; the process table's syscalls always are;
        // the rest wait as text until the engine's verdict memo cannot answer without them.
        events.decodeSyscalls(only: SyscallDecodeFilter(decoding: { [useVerdictMemo] name in
            let lazy: SyscallDecodeFilter.Decoding = useVerdictMemo ? .deferred : .full
            if ProcessTable.streamEndingSyscalls.contains(name) { return lazy }
            if ProcessTable.stateSyscalls.contains(name) { return .full }
            return engine.looksAt(name) ? lazy : .hollow
        }))
        let strings = StringCache()
        // The fast lane (see ReplayLane): only when every event is evaluated, as a filter would have to see them.
        let lane = ReplayLane(engine: engine, processes: processes)
        if useVerdictMemo && everything { _ = events.takeSyscallLines { lane.take($0, $1) } }
        while true {
            let next: Event?
            do {
                next = try events.next()
            } catch let d as TraceDiagnostic {
                throw d
            } catch {
                throw TraceDiagnostic(file: input.path, line: 0, message: "\(error)")
            }
            guard var e = next else { break }
            stats.events += 1
            if case .syscall(let sc) = e.kind, sc.deferred != nil, processes.needsArguments(e) {
                e = try e.materialized(cache: strings)
            }
            processes.apply(e)
            if !everything { state.track(e) }
            if everything || state.keeps(e) {
                stats.evaluated += 1
                if case .syscall(let sc) = e.kind, sc.deferred != nil {
                    if !engine.knownClean(e, processes: processes) {
                        _ = enforcer.observe(try e.materialized(cache: strings), processes: processes)
                    }
                } else if case .exec = e.kind, useVerdictMemo {
                    if !engine.knownClean(e, processes: processes) { _ = enforcer.observe(e, processes: processes) }
                } else {
                    _ = enforcer.observe(e, processes: processes)
                }
            }
            if case .exit(let x) = e.kind, x.processEnded, let rec = processes.process(e.pid) {
                ended.add(rec, to: processes)
            }
        }
        enforcer.flush()
        stats.events += lane.views
        stats.evaluated += lane.views
        stats.memoHits = engine.memo.hits
        stats.contentMemoHits = engine.contentMemo.hits
        if getenv("AGENTWATCH_STATS") != nil {
            Stderr.line("agentwatch: " + engine.memoStats)
        }
        stats.warnings = events.warnings
        return stats
    }
}

/// A FIFO of ended processes: the oldest is dropped from the table once the
/// FIFO is full, unless its pid was reused meanwhile.
struct EndedProcesses {
    let capacity: Int
    private var ring: [ProcessRecord?]
    private var head = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        ring = Array(repeating: nil, count: self.capacity)
    }

    mutating func add(_ rec: ProcessRecord, to table: ProcessTable) {
        if let old = ring[head], table.process(old.pid) === old { table.reap(old.pid) }
        ring[head] = rec
        head = (head + 1) % capacity
    }
}
