import Yams

// Inline events of a test case: trace lines written in YAML, with everything
// an author should not have to care about filled in — `seq`, `xseq`, times,
// `tid`, the pid of a new process and its parent, argv and comm from the exe —
// and semgrep-style marks (`ruleid: RULE`, `ok: RULE`) saying which rules must
// or must not fire on that very event.

public struct InlineEvents {
    /// Wall clock of the first event (2026-01-01T00:00:00Z): fixed, so outputs are reproducible.
    static let startWall: UInt64 = 1_767_225_600_000_000_000
    static let step: UInt64 = 1_000_000

    var events: [Event] = []
    /// Per event seq: rules that must fire on it, and rules that must not.
    var mustFire: [Mark] = []
    var mustNotFire: [Mark] = []
    var diagnostics: [Diagnostic] = []

    private var seq: UInt64 = 0
    private var lastPid: Int32?
    private var maxPid: Int32 = 99
    private var sawSpawn = false
    private var cwdOf: [Int32: String] = [:]

    static let kinds: Set<String> = ["spawn", "thread", "exec", "exit", "signal", "syscall", "execve"]

    init(_ node: Node, source: SourceFile) {
        guard let list = node.sequence else {
            diagnostics.append(Diagnostic(.error, "`events` must be a list of events", at: NodeLocation.of(node, source)))
            return
        }
        for item in list { add(item, source) }
    }

    private mutating func add(_ item: Node, _ source: SourceFile) {
        let here = NodeLocation.of(item, source)
        guard let map = item.mapping else {
            diagnostics.append(Diagnostic(.error, "an event is a mapping such as {ev: syscall, sc: openat, ...}", at: here))
            return
        }
        var fields: [(String, Node)] = []
        var marks: [(String, Node)] = []
        for (k, v) in map {
            guard let key = k.string else { continue }
            if key == "ruleid" || key == "ok" { marks.append((key, v)) } else { fields.append((key, v)) }
        }
        func value(_ key: String) -> Node? { fields.first { $0.0 == key }?.1 }
        func text(_ key: String) -> String? { value(key)?.scalar?.string }

        guard let ev = text("ev"), Self.kinds.contains(ev) else {
            diagnostics.append(Diagnostic(.error, "each event needs `ev`: spawn, thread, exec, exit, signal, syscall (or execve, for both)",
                                          at: value("ev").map { NodeLocation.of($0, source) } ?? here))
            return
        }
        if ev == "execve" {
            execve(fields, marks, here, source)
            return
        }
        var extra: [(String, String)] = []
        func fill(_ key: String, _ json: @autoclosure () -> String) {
            if value(key) == nil { extra.append((key, json())) }
        }
        func quoted(_ s: String) -> String {
            var b: [UInt8] = []
            YAMLToJSON.string(s, into: &b)
            return String(decoding: b, as: UTF8.self)
        }

        if let s = text("seq"), let given = UInt64(s) { seq = given } else { seq += 1; fill("seq", String(seq)) }
        let eventSeq = seq
        let pid: Int32
        if let s = text("pid"), let given = Int32(s) {
            pid = given
        } else {
            pid = ev == "spawn" ? maxPid + 1 : lastPid ?? maxPid + 1
            extra.append(("pid", String(pid)))
        }
        fill("mono", String(eventSeq * Self.step))
        fill("wall", String(Self.startWall + eventSeq * Self.step))

        let exe = text("exe") ?? ""
        let base = exe.split(separator: "/").last.map(String.init) ?? exe
        switch ev {
        case "spawn":
            let ppid = text("ppid").flatMap { Int32($0) } ?? (sawSpawn ? lastPid ?? 1 : 1)
            fill("ppid", String(ppid))
            fill("via", quoted(sawSpawn ? "fork" : "root"))
            fill("argv", "[" + quoted(base) + "]")
            fill("comm", quoted(String(base.prefix(15))))
            let cwd = text("cwd") ?? cwdOf[ppid] ?? "/"
            fill("cwd", quoted(cwd))
            cwdOf[pid] = cwd
            sawSpawn = true
        case "exec":
            fill("argv", "[" + quoted(base) + "]")
            fill("comm", quoted(String(base.prefix(15))))
            let cwd = text("cwd") ?? cwdOf[pid] ?? "/"
            fill("cwd", quoted(cwd))
            cwdOf[pid] = cwd
        case "exit":
            fill("process", "true")
        case "syscall":
            // A result means the syscall completed: its exit is the next number, as live.
            if value("ret") != nil, value("xseq") == nil {
                seq += 1
                extra.append(("xseq", String(seq)))
            }
        default:
            break
        }
        lastPid = pid
        maxPid = max(maxPid, pid)

        guard decode(object(fields, extra), here) else { return }
        addMarks(marks, seqs: [eventSeq], source)
    }

    /// `ev: execve` is what a successful exec looks like live: the execve
    /// syscall at entry (seq n, where deny and kill rules act), the exec event
    /// with the new image (n+1), the syscall's exit (n+2). A failing one
    /// (`ret: -2`) is the syscall alone.
    private mutating func execve(_ fields: [(String, Node)], _ marks: [(String, Node)], _ here: SourceLocation, _ source: SourceFile) {
        func text(_ key: String) -> String? { fields.first { $0.0 == key }?.1.scalar?.string }
        guard let exe = text("exe"), !exe.isEmpty else {
            diagnostics.append(Diagnostic(.error, "`ev: execve` needs `exe`, the program run", at: here))
            return
        }
        let base = exe.split(separator: "/").last.map(String.init) ?? exe
        var argvJSON: [UInt8] = []
        if let a = fields.first(where: { $0.0 == "argv" })?.1 { YAMLToJSON.write(a, into: &argvJSON) } else { YAMLToJSON.write(.sequence([.scalar(.init(base))]), into: &argvJSON) }
        let argv = String(decoding: argvJSON, as: UTF8.self)
        let ret = text("ret").flatMap { Int64($0) } ?? 0
        let pid = text("pid").flatMap { Int32($0) } ?? lastPid ?? maxPid + 1
        lastPid = pid
        maxPid = max(maxPid, pid)
        let entry = seq + 1
        seq += ret == 0 ? 3 : 2
        let cwd = text("cwd") ?? cwdOf[pid] ?? "/"
        cwdOf[pid] = cwd
        var b: [UInt8] = []
        YAMLToJSON.string(exe, into: &b)
        let exeJSON = String(decoding: b, as: UTF8.self)
        let common = [("pid", String(pid)), ("mono", String(entry * Self.step)), ("wall", String(Self.startWall + entry * Self.step))]
        let call: [(String, String)] = [("ev", "\"syscall\""), ("sc", "\"execve\""), ("seq", String(entry)),
                                        ("xseq", String(ret == 0 ? entry + 2 : entry + 1)), ("ret", String(ret)),
                                        ("args", "{\"filename\":{\"path\":\(exeJSON)},\"argv\":{\"strv\":\(argv)}}")] + common
        guard decode(object([], call), here) else { return }
        if ret == 0 {
            // Anything else given (binary, script, tty…) describes the new image.
            let rest = fields.filter { !["ev", "exe", "argv", "pid", "ret", "cwd", "seq"].contains($0.0) }
            var c: [UInt8] = []
            YAMLToJSON.string(String(base.prefix(15)), into: &c)
            var cwdJSON: [UInt8] = []
            YAMLToJSON.string(cwd, into: &cwdJSON)
            let image: [(String, String)] = [("ev", "\"exec\""), ("seq", String(entry + 1)), ("exe", exeJSON), ("argv", argv),
                                             ("cwd", String(decoding: cwdJSON, as: UTF8.self)),
                                             ("comm", String(decoding: c, as: UTF8.self)),
                                             ("pid", String(pid)), ("mono", String((entry + 1) * Self.step)),
                                             ("wall", String(Self.startWall + (entry + 1) * Self.step))]
            guard decode(object(rest, image.filter { k, _ in !rest.contains { $0.0 == k } }), here) else { return }
        }
        addMarks(marks, seqs: ret == 0 ? [entry, entry + 1] : [entry], source)
    }

    private func object(_ fields: [(String, Node)], _ extra: [(String, String)]) -> [UInt8] {
        var json: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        for (k, v) in fields {
            if !first { json.append(UInt8(ascii: ",")) }
            first = false
            YAMLToJSON.string(k, into: &json)
            json.append(UInt8(ascii: ":"))
            YAMLToJSON.write(v, into: &json)
        }
        for (k, v) in extra {
            if !first { json.append(UInt8(ascii: ",")) }
            first = false
            YAMLToJSON.string(k, into: &json)
            json.append(UInt8(ascii: ":"))
            json.append(contentsOf: v.utf8)
        }
        json.append(UInt8(ascii: "}"))
        return json
    }

    private mutating func decode(_ json: [UInt8], _ here: SourceLocation) -> Bool {
        let decoded: Result<TraceRecord, JSONParseError> = json.withUnsafeBufferPointer { b in
            do throws(JSONParseError) { return .success(try TraceLineDecoder.decode(b)) } catch { return .failure(error) }
        }
        switch decoded {
        case .success(.event(let e)):
            events.append(e)
            return true
        case .success:
            diagnostics.append(Diagnostic(.error, "not an event", at: here))
        case .failure(let error):
            diagnostics.append(Diagnostic(.error, "event: \(error.message)", at: here))
        }
        return false
    }

    /// A mark holds when the rule fires on any of `seqs` (an exec spans two events).
    private mutating func addMarks(_ marks: [(String, Node)], seqs: [UInt64], _ source: SourceFile) {
        for (key, node) in marks {
            let rules = node.sequence.map { $0.compactMap(\.string) } ?? node.string.map { [$0] } ?? []
            for r in rules {
                let m = Mark(seqs: seqs, rule: r, location: NodeLocation.of(node, source))
                if key == "ruleid" { mustFire.append(m) } else { mustNotFire.append(m) }
            }
        }
    }
}

/// A semgrep-style mark on one inline event (or the two of an `ev: execve`).
public struct Mark: Sendable {
    var seqs: [UInt64]
    var rule: String
    var location: SourceLocation
}

/// Inline events as a stream, for the replay driver.
final class EventList: EventStream {
    private var events: [Event]
    private var i = 0
    var warnings: [TraceDiagnostic] { [] }
    init(_ events: [Event]) { self.events = events }
    func next() throws -> Event? {
        guard i < events.count else { return nil }
        i += 1
        return events[i - 1]
    }
}
