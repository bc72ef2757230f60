// `replay --summary`: how often each rule fired, and where in the process
// tree. Built from the alerts alone (each carries its ancestry), so it costs
// memory per alerting process, not per event.

public final class ReplaySummary: AlertSink {
    struct RuleCount {
        var priority: Priority
        var count: Int
    }
    struct Node {
        var exe: String
        var cmdline: String
        var parent: Int32?
        var rules: [String: Int] = [:]
    }

    private var rules: [String: RuleCount] = [:]
    private var nodes: [Int32: Node] = [:]

    public init() {}

    public func emit(_ alert: Alert) {
        rules[alert.rule, default: RuleCount(priority: alert.priority, count: 0)].count += 1
        // At execve entry the alert names the program about to run, and the
        // caller (same pid) as first ancestor: one process, not two.
        let chain = alert.ancestors.filter { $0.pid != alert.pid }
        var child = alert.pid
        for a in chain {
            if nodes[child]?.parent == nil { nodes[child, default: Node(exe: "", cmdline: "")].parent = a.pid }
            if nodes[a.pid] == nil { nodes[a.pid] = Node(exe: a.exe, cmdline: a.cmdline) }
            child = a.pid
        }
        var n = nodes[alert.pid] ?? Node(exe: alert.exe, cmdline: alert.cmdline)
        n.exe = alert.exe
        n.cmdline = alert.cmdline
        if n.parent == nil, let p = chain.first?.pid { n.parent = p }
        n.rules[alert.rule, default: 0] += 1
        nodes[alert.pid] = n
    }

    public func flush() {}

    public var isEmpty: Bool { rules.isEmpty }

    /// Counts per rule, most frequent first, then the tree of alerting processes.
    public func render() -> String {
        var s = "Alerts by rule:\n"
        if rules.isEmpty { s += "  (none)\n" }
        let sorted = rules.sorted { a, b in a.value.count != b.value.count ? a.value.count > b.value.count : a.key < b.key }
        for (rule, c) in sorted {
            let n = String(c.count)
            s += String(repeating: " ", count: max(0, 7 - n.count)) + n + "  " + rule + " (" + c.priority.description + ")\n"
        }
        guard !nodes.isEmpty else { return s }
        s += "Processes that alerted, with their ancestry:\n"
        var children: [Int32: [Int32]] = [:]
        var roots: [Int32] = []
        for (pid, n) in nodes {
            if let p = n.parent, nodes[p] != nil { children[p, default: []].append(pid) } else { roots.append(pid) }
        }
        func walk(_ pid: Int32, _ prefix: String, _ last: Bool, _ top: Bool) {
            guard let n = nodes[pid] else { return }
            let branch = top ? "" : (last ? "└─ " : "├─ ")
            var line = prefix + branch + "\(pid) \(n.exe.isEmpty ? "?" : n.exe)"
            if !n.cmdline.isEmpty { line += " (\(n.cmdline))" }
            if !n.rules.isEmpty {
                line += "  ← " + n.rules.sorted { $0.key < $1.key }.map { $0.value > 1 ? "\($0.key) ×\($0.value)" : $0.key }
                    .joined(separator: ", ")
            }
            s += line + "\n"
            let kids = (children[pid] ?? []).sorted()
            let nextPrefix = top ? prefix : prefix + (last ? "   " : "│  ")
            for (i, k) in kids.enumerated() { walk(k, nextPrefix, i == kids.count - 1, false) }
        }
        for r in roots.sorted() { walk(r, "  ", true, true) }
        return s
    }
}
