// Replay's fast lane. Most lines of a long trace are syscalls the process
// table does not care about, in order, whose verdict the engine's memo already
// knows: such a line is done with as it is read, before any event is made of
// it (see EngineOrder.takeSyscallLines). Anything else, or any doubt, and the
// line goes the ordinary way.

final class ReplayLane {
    private let engine: PolicyEngine
    private let processes: ProcessTable
    /// What the lane knows of a syscall, by the reader's number for its name.
    private var byName: [Known?] = []
    /// Views (entry and exit counted apart) done with in the lane.
    private(set) var views = 0

    private final class Known {
        let plan: PolicyEngine.Plan
        /// connect and close: the process table reads them while a DNS-over-TCP answer is half read.
        let streamEnding: Bool
        init(plan: PolicyEngine.Plan, streamEnding: Bool) {
            self.plan = plan
            self.streamEnding = streamEnding
        }
    }

    init(engine: PolicyEngine, processes: ProcessTable) {
        self.engine = engine
        self.processes = processes
    }

    /// True when the line is done with.
    func take(_ line: SyscallLine, _ names: SyscallNameTable) -> Bool {
        // Syscalls the process table reads are decoded in full: never here.
        guard line.decoding != .full else { return false }
        if line.nameID >= byName.count { byName += Array(repeating: nil, count: line.nameID + 1 - byName.count) }
        let known: Known
        if let k = byName[line.nameID] {
            known = k
        } else {
            let name = names.name(line.nameID)
            known = Known(plan: engine.plan(for: name), streamEnding: ProcessTable.streamEndingSyscalls.contains(name))
            byName[line.nameID] = known
        }
        if known.streamEnding, processes.dnsStreamsOpen { return false }
        let both = line.xseq != nil && line.ret != nil
        guard engine.knownClean(line: line.memoLine, plan: known.plan, entry: both || line.ret == nil, exit: line.ret != nil,
                                processes: processes) else { return false }
        views += both ? 2 : 1
        return true
    }
}
