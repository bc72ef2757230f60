/// What an incident report shows, built from a trace: the process tree with
/// lifetimes, a timeline of executions, connections and file changes, and the
/// alerts with their stacks and fields.
public struct ReportModel {
    public struct Proc {
        public var pid: Int32
        public var ppid: Int32
        public var exe: String
        public var argv: [String]
        public var started: UInt64
        public var ended: UInt64?
        public var exit: String
        public var children: [Int32] = []
        public var alerts = 0
        public var execs: [String] = []
    }

    public struct Row {
        public var wall: UInt64
        public var pid: Int32
        /// "exec", "connect", "listen", "write", "delete", "rename", "chmod", "signal".
        public var kind: String
        public var text: String
        public var failed: Bool
    }

    public struct AlertRow {
        public var time: String
        public var rule: String
        public var priority: String
        public var action: String
        public var pid: Int32
        public var exe: String
        public var cmdline: String
        public var syscall: String
        public var output: String
        public var fields: [(String, String)]
        public var stack: [String]
        public var ancestors: [String]
    }

    public var header: TraceHeader?
    public var procs: [Int32: Proc] = [:]
    public var roots: [Int32] = []
    public var timeline: [Row] = []
    public var timelineDropped = 0
    public var alerts: [AlertRow] = []
    public var firstWall: UInt64 = 0
    public var lastWall: UInt64 = 0
    public var eventCount = 0
    public static let timelineLimit = 5000

    public init() {}

    public mutating func add(_ e: Event) {
        eventCount += 1
        if firstWall == 0 { firstWall = e.wall }
        lastWall = max(lastWall, e.wall)
        switch e.kind {
        case .spawn(let s):
            procs[e.pid] = Proc(pid: e.pid, ppid: s.ppid, exe: s.exe, argv: s.argv, started: e.wall, ended: nil, exit: "")
            if procs[s.ppid] != nil { procs[s.ppid]?.children.append(e.pid) } else { roots.append(e.pid) }
        case .exec(let x):
            procs[e.pid]?.exe = x.exe
            procs[e.pid]?.argv = x.argv
            procs[e.pid]?.execs.append(x.exe)
            row(e, "exec", x.exe + " " + x.argv.dropFirst().joined(separator: " "), failed: false)
        case .exit(let x) where x.processEnded:
            procs[e.pid]?.ended = e.wall
            procs[e.pid]?.exit = x.signal.map { "killed by \(Signals.name($0))" } ?? "exit \(x.code ?? 0)"
        case .signal(let s):
            row(e, "signal", Signals.name(s.signal) + (s.senderPid.map { " from \($0)" } ?? ""), failed: false)
        case .syscall(let sc):
            syscallRow(e, sc)
        default:
            break
        }
    }

    private mutating func row(_ e: Event, _ kind: String, _ text: String, failed: Bool) {
        if timeline.count >= Self.timelineLimit { timelineDropped += 1; return }
        timeline.append(Row(wall: e.wall, pid: e.pid, kind: kind, text: text, failed: failed))
    }

    private mutating func syscallRow(_ e: Event, _ sc: Syscall) {
        let failed = sc.denied || sc.exit?.failed == true
        let suffix = sc.denied ? " (denied)" : sc.exit?.errno.map { " → " + Errno.name($0) } ?? ""
        func path(_ n: String) -> String? {
            if case .path(let p, _)? = sc.arg(n) { return p }
            return nil
        }
        switch sc.name {
        case "connect":
            if case .sockaddr(let a)? = sc.arg("addr") { row(e, "connect", ArgText.sockaddr(a) + suffix, failed: failed) }
        case "listen", "bind":
            if case .fd(_, let info?)? = sc.arg("fd") { row(e, sc.name, info.name + suffix, failed: failed) }
        case "open", "openat", "openat2", "creat":
            if case .flags(let raw, let names)? = sc.arg("flags"), raw & 3 != 0 || names.contains("O_CREAT"),
               let p = path("filename") {
                row(e, "write", p + suffix, failed: failed)
            }
        case "unlink", "unlinkat", "rmdir":
            if let p = path("pathname") { row(e, "delete", p + suffix, failed: failed) }
        case "rename", "renameat", "renameat2":
            if let a = path("oldpath"), let b = path("newpath") { row(e, "rename", a + " → " + b + suffix, failed: failed) }
        case "chmod", "fchmodat", "fchmodat2":
            if let p = path("pathname"), case .flags(_, let m)? = sc.arg("mode") {
                row(e, "chmod", p + " " + m.joined() + suffix, failed: failed)
            }
        default:
            break
        }
    }

    /// An alert line of the trace, as written by `run` (JSON already parsed).
    public mutating func addAlert(_ a: [String: Any]) {
        let proc = a["proc"] as? [String: Any] ?? [:]
        let fields = (a["fields"] as? [String: Any] ?? [:]).map { ($0.key, "\($0.value)") }.sorted { $0.0 < $1.0 }
        let stack = (a["stack"] as? [[String: Any]] ?? []).map { f -> String in
            let sym = (f["symbol"] as? String ?? "").isEmpty ? (f["module_offset"] as? String ?? "") : "\(f["symbol"] as? String ?? "")+\(f["offset"] as? String ?? "")"
            return "\(f["module"] as? String ?? "?")(\(sym))\(f["nearest_export"] as? Bool == true ? " (nearest export)" : "")"
        }
        let ancestors = (proc["ancestors"] as? [[String: Any]] ?? []).map { "\($0["pid"] ?? "") \($0["cmdline"] as? String ?? "")" }
        let pid = Int32(truncatingIfNeeded: (a["pid"] as? Int) ?? 0)
        alerts.append(AlertRow(time: a["time"] as? String ?? "", rule: a["rule"] as? String ?? "",
                               priority: a["priority"] as? String ?? "", action: a["action"] as? String ?? "",
                               pid: pid, exe: proc["exe"] as? String ?? "", cmdline: proc["cmdline"] as? String ?? "",
                               syscall: a["syscall"] as? String ?? "", output: a["output"] as? String ?? "",
                               fields: fields, stack: stack, ancestors: ancestors))
        procs[pid]?.alerts += 1
    }
}
