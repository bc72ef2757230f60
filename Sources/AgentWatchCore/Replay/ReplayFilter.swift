/// Which events are evaluated and reported. The process table sees every
/// event regardless: ancestry and descriptors must stay right for the ones kept.
public struct ReplayFilter: Sendable {
    /// Processes asked for with `--pid`: they and their descendants are kept.
    public var pids: Set<Int32> = []
    public var since: ReplayTime?
    public var until: ReplayTime?

    public init(pids: Set<Int32> = [], since: ReplayTime? = nil, until: ReplayTime? = nil) {
        self.pids = pids
        self.since = since
        self.until = until
    }

    public var isEmpty: Bool { pids.isEmpty && since == nil && until == nil }
}

/// The filter applied along a stream: follows descendants of the chosen pids
/// as they are spawned, and forgets them when they end (pids are reused).
final class ReplayFilterState {
    let filter: ReplayFilter
    private var selected: Set<Int32>

    init(_ filter: ReplayFilter) {
        self.filter = filter
        selected = filter.pids
    }

    /// Call for every event, in engine order, before asking `keeps`.
    func track(_ e: Event) {
        guard !filter.pids.isEmpty else { return }
        switch e.kind {
        case .spawn(let s):
            if selected.contains(s.ppid) { selected.insert(e.pid) }
        case .exit(let x):
            if x.processEnded, !filter.pids.contains(e.pid) { selected.remove(e.pid) }
        default:
            break
        }
    }

    func keeps(_ e: Event) -> Bool {
        if !filter.pids.isEmpty, !selected.contains(e.pid) { return false }
        if let since = filter.since, since.time(of: e) < since.nanoseconds { return false }
        if let until = filter.until, until.time(of: e) > until.nanoseconds { return false }
        return true
    }
}
