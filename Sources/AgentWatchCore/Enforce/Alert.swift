import Glibc

/// One rule match, explained: which rule, what was done, to whom, on which syscall.
public struct Alert: Sendable {
    public var time: UInt64
    public var rule: String
    public var priority: Priority
    /// What agentwatch did: log, alert, deny, kill or pause.
    public var action: String
    /// What the rule asked for, when the mode (audit) or the timing (exit) prevented it.
    public var intended: String?
    public var tags: [String]
    public var output: String
    public var seq: UInt64
    public var pid: Int32
    public var tid: Int32
    /// The decoded syscall (or event), strace-style.
    public var syscall: String
    public var exe: String
    public var cmdline: String
    public var ppid: Int32
    public var ancestors: [(pid: Int32, exe: String, cmdline: String)]
    public var fields: [(String, String)]
    /// For sequence rules: the events that matched each step.
    public var stepSeqs: [UInt64]
    /// The offending thread's user-space stack, innermost first.
    public var stack: [StackFrame] = []

    init(match m: RuleMatch, event: Event, processes: ProcessTable, action: String, intended: String?) {
        time = event.wall
        rule = m.rule
        priority = m.priority
        self.action = action
        self.intended = intended
        tags = m.tags
        output = m.output
        seq = m.seq
        pid = m.pid
        tid = m.tid
        syscall = Alert.describe(event)
        let p = processes.process(m.pid)
        exe = p?.exe ?? ""
        cmdline = p?.cmdline ?? ""
        ppid = p?.ppid ?? 0
        ancestors = (p?.ancestors ?? []).map { ($0.pid, $0.exe, $0.cmdline) }
        if let (newExe, argv) = Alert.execAboutToRun(event), let p {
            // Rules see the program about to run at execve entry; so does the alert,
            // with the program that asked for it as the first ancestor.
            exe = newExe
            let name = newExe.split(separator: "/").last.map(String.init) ?? newExe
            cmdline = ([name] + argv.dropFirst()).joined(separator: " ")
            ppid = p.pid
            ancestors.insert((p.pid, p.exe, p.cmdline), at: 0)
        }
        fields = m.fields
        stepSeqs = m.stepSeqs
    }

    static func execAboutToRun(_ e: Event) -> (String, [String])? {
        guard case .syscall(let sc) = e.kind, sc.exit == nil, sc.name == "execve" || sc.name == "execveat" else { return nil }
        var exe = ""
        if case .path(let p, _)? = sc.arg("filename") { exe = p }
        var argv: [String] = []
        if case .strings(let list, _)? = sc.arg("argv") { argv = list }
        return (exe, argv)
    }

    static func describe(_ e: Event) -> String {
        switch e.kind {
        case .syscall(let sc): return EventPrinter.syscall(sc)
        case .exec(let x): return "execve(\(ArgText.quote(x.path)), \(ArgText.render(.strings(x.argv, truncated: false)))) = 0"
        default: return EventPrinter.line(e)
        }
    }

    /// The human line on stderr.
    public var humanLine: String {
        var s = "agentwatch: \(priority.description.uppercased()) \(rule) [\(action)"
        if let intended { s += ", rule says \(intended)" }
        s += "] pid \(pid)"
        if tid != pid { s += "/\(tid)" }
        s += " \(exe) (\(cmdline))"
        if !ancestors.isEmpty {
            s += " ← " + ancestors.prefix(6).map { "\($0.pid) \($0.exe.split(separator: "/").last.map(String.init) ?? $0.exe)" }
                .joined(separator: " ← ")
        }
        s += ": " + syscall
        if !output.isEmpty { s += " — " + output }
        for f in stack.prefix(16) { s += "\n    " + f.text }
        if stack.count > 16 { s += "\n    … \(stack.count - 16) more frames" }
        return s
    }

    static func isoTime(_ ns: UInt64) -> String {
        var t = time_t(ns / 1_000_000_000)
        var tm = tm()
        gmtime_r(&t, &tm)
        let ms = (ns / 1_000_000) % 1000
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let msText = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return "\(tm.tm_year + 1900)-\(two(tm.tm_mon + 1))-\(two(tm.tm_mday))T\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec)).\(msText)Z"
    }

    /// The JSON object (alerts file and trace).
    public func json(into j: inout JSONBuilder, asTraceEvent: Bool) {
        j.beginObject()
        if asTraceEvent { j.field("ev", "alert") }
        j.field("time", Alert.isoTime(time))
        j.field("rule", rule)
        j.field("priority", priority.description)
        j.field("action", action)
        if let intended { j.field("intended", intended) }
        j.field("tags", strings: tags)
        j.field("output", output)
        j.field("seq", seq)
        j.field("pid", pid)
        j.field("tid", tid)
        j.field("syscall", syscall)
        j.key("proc")
        j.beginObject()
        j.field("exe", exe)
        j.field("cmdline", cmdline)
        j.field("ppid", ppid)
        j.key("ancestors")
        j.beginArray()
        for a in ancestors {
            j.beginObject()
            j.field("pid", a.pid)
            j.field("exe", a.exe)
            j.field("cmdline", a.cmdline)
            j.endObject()
        }
        j.endArray()
        j.endObject()
        j.key("fields")
        j.beginObject()
        for (k, v) in fields { j.field(k, v) }
        j.endObject()
        if !stack.isEmpty {
            j.key("stack")
            TraceEncoder.stack(stack, into: &j)
        }
        if !stepSeqs.isEmpty {
            j.key("steps")
            j.beginArray()
            for s in stepSeqs { j.int(s) }
            j.endArray()
        }
        j.endObject()
        j.newline()
    }
}
