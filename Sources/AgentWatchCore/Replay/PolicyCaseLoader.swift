import Foundation
import Yams

// Reads a case file. Everything wrong with it is reported at file:line, like
// policy errors, since authors fix both in the same editor.

public enum PolicyCaseLoader {
    static let fileKeys: Set<String> = ["policies", "defaults", "cases"]
    static let caseKeys: Set<String> = ["name", "desc", "policies", "defaults", "events", "trace", "strace", "run", "timeout",
                                        "expect", "expect_not", "todo"]
    static let expectKeys: Set<String> = ["rule", "action", "count", "seq", "syscall"]
    static let actions: Set<String> = ["log", "alert", "deny", "kill", "pause"]

    public static func load(path: String) -> (cases: [PolicyCase], diagnostics: [Diagnostic]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            return ([], [Diagnostic(.error, "cannot read the case file", at: SourceLocation(file: path, line: 0, column: 0))])
        }
        return load(text: String(decoding: data, as: UTF8.self), path: path)
    }

    public static func load(text: String, path: String) -> (cases: [PolicyCase], diagnostics: [Diagnostic]) {
        let source = SourceFile(name: path, text: text)
        let root: Node
        do {
            guard let n = try Yams.compose(yaml: text) else {
                return ([], [Diagnostic(.error, "empty case file", at: SourceLocation(file: path, line: 1, column: 1))])
            }
            root = n
        } catch let e as YamlError {
            return ([], [YamlErrors.diagnostic(e, file: path)])
        } catch {
            return ([], [Diagnostic(.error, "YAML: \(error)", at: SourceLocation(file: path, line: 1, column: 1))])
        }
        guard let map = root.mapping else {
            return ([], [Diagnostic(.error, "a case file is a mapping: policies, defaults, cases", at: NodeLocation.of(root, source))])
        }
        var top = ItemReader(map: map, node: root, source: source)
        top.allow(fileKeys)
        var diagnostics = top.diagnostics
        let dir = (path as NSString).deletingLastPathComponent
        let filePolicies = paths(top.node("policies"), dir: dir, source, &diagnostics) ?? []
        let fileDefaults = flag(top, "defaults", &diagnostics) ?? false
        guard let list = top.node("cases")?.sequence else {
            diagnostics.append(Diagnostic(.error, "`cases` must be a list of cases", at: top.location("cases")))
            return ([], diagnostics)
        }
        var cases: [PolicyCase] = []
        var names: Set<String> = []
        for item in list {
            guard let c = readCase(item, source: source, dir: dir, policies: filePolicies, defaults: fileDefaults, &diagnostics) else { continue }
            if !names.insert(c.name).inserted {
                diagnostics.append(Diagnostic(.error, "a second case named `\(c.name)`", at: c.location))
            }
            cases.append(c)
        }
        return (cases, diagnostics)
    }

    private static func readCase(_ item: Node, source: SourceFile, dir: String, policies: [String], defaults: Bool,
                                 _ diagnostics: inout [Diagnostic]) -> PolicyCase? {
        let here = NodeLocation.of(item, source)
        guard let map = item.mapping else {
            diagnostics.append(Diagnostic(.error, "a case is a mapping: name, events (or trace, strace, run), expect", at: here))
            return nil
        }
        var r = ItemReader(map: map, node: item, source: source)
        r.allow(caseKeys)
        let before = diagnostics.count
        diagnostics += r.diagnostics
        let name = r.string("name") ?? "\(source.name.split(separator: "/").last.map(String.init) ?? source.name):\(here.line)"
        let sources = ["events", "trace", "strace", "run"].filter { r.has($0) }
        guard sources.count == 1 else {
            diagnostics.append(Diagnostic(.error, sources.isEmpty ? "case `\(name)` has no events: give events, trace, strace or run"
                                                                  : "case `\(name)` has several event sources (\(sources.joined(separator: ", "))); give one",
                                          at: here))
            return nil
        }
        var src: PolicyCase.Source
        switch sources[0] {
        case "events":
            let events = InlineEvents(r.node("events") ?? item, source: source)
            diagnostics += events.diagnostics
            src = .events(events)
        case "trace", "strace":
            guard let p = r.string(sources[0]), !p.isEmpty else {
                diagnostics.append(Diagnostic(.error, "`\(sources[0])` names a file", at: r.location(sources[0])))
                return nil
            }
            src = .file(resolve(p, dir), sources[0] == "strace" ? .strace : .auto)
        default:
            let node = r.node("run")
            let argv: [String]
            if let s = node?.sequence {
                argv = s.compactMap(\.string)
            } else if let s = node?.scalar?.string {
                argv = ["/bin/sh", "-c", s]
            } else {
                argv = []
            }
            guard !argv.isEmpty else {
                diagnostics.append(Diagnostic(.error, "`run` is a command: a list (argv) or a string (for /bin/sh -c)", at: r.location("run")))
                return nil
            }
            var timeout = 30.0
            if let t = r.string("timeout") {
                guard let v = Double(t), v > 0 else {
                    diagnostics.append(Diagnostic(.error, "`timeout` is a number of seconds", at: r.location("timeout")))
                    return nil
                }
                timeout = v
            }
            src = .run(argv, timeout: timeout)
        }
        if r.has("timeout"), sources[0] != "run" {
            diagnostics.append(Diagnostic(.warning, "`timeout` only applies to `run`", at: r.location("timeout")))
        }
        var expect: [PolicyCase.Expectation] = []
        if let n = r.node("expect") {
            guard let list = n.sequence else {
                diagnostics.append(Diagnostic(.error, "`expect` is a list of rules (names, or mappings with rule, action, count, seq, syscall)",
                                              at: NodeLocation.of(n, source)))
                return nil
            }
            for e in list { if let x = expectation(e, source, &diagnostics) { expect.append(x) } }
        }
        var expectNot: [(rule: String, location: SourceLocation)] = []
        if let n = r.node("expect_not") {
            let list = n.sequence ?? [n]
            for e in list {
                guard let s = e.string, !s.isEmpty else {
                    diagnostics.append(Diagnostic(.error, "`expect_not` is a list of rule names", at: NodeLocation.of(e, source)))
                    continue
                }
                expectNot.append((s, NodeLocation.of(e, source)))
            }
        }
        if case .events(let ev) = src, expect.isEmpty, expectNot.isEmpty, ev.mustFire.isEmpty, ev.mustNotFire.isEmpty {
            diagnostics.append(Diagnostic(.error, "case `\(name)` expects nothing: add expect, expect_not, or ruleid/ok marks on events", at: here))
        } else if expect.isEmpty, expectNot.isEmpty, !isEvents(src) {
            diagnostics.append(Diagnostic(.error, "case `\(name)` expects nothing: add expect or expect_not", at: here))
        }
        let casePolicies = r.has("policies") ? paths(r.node("policies"), dir: dir, source, &diagnostics) ?? [] : policies
        let caseDefaults = flag(r, "defaults", &diagnostics) ?? defaults
        var todo: String?
        if r.has("todo") {
            todo = r.string("todo") ?? ""
            if todo?.isEmpty == true {
                diagnostics.append(Diagnostic(.error, "`todo` says why the case cannot pass yet", at: r.location("todo")))
            }
        }
        if diagnostics[before...].contains(where: { $0.severity == .error }) { return nil }
        return PolicyCase(name: name, location: here, policies: casePolicies, defaults: caseDefaults, source: src, directory: dir,
                          expect: expect, expectNot: expectNot, todo: todo)
    }

    private static func isEvents(_ s: PolicyCase.Source) -> Bool {
        if case .events = s { return true }
        return false
    }

    private static func expectation(_ n: Node, _ source: SourceFile, _ diagnostics: inout [Diagnostic]) -> PolicyCase.Expectation? {
        let here = NodeLocation.of(n, source)
        if let s = n.scalar?.string, !s.isEmpty {
            return PolicyCase.Expectation(rule: s, location: here)
        }
        guard let m = n.mapping else {
            diagnostics.append(Diagnostic(.error, "an expectation is a rule name or {rule, action, count, seq, syscall}", at: here))
            return nil
        }
        var r = ItemReader(map: m, node: n, source: source)
        r.allow(expectKeys)
        diagnostics += r.diagnostics
        guard let rule = r.string("rule"), !rule.isEmpty else {
            diagnostics.append(Diagnostic(.error, "expectation without `rule`", at: here))
            return nil
        }
        var x = PolicyCase.Expectation(rule: rule, location: here)
        if let a = r.string("action") {
            guard actions.contains(a) else {
                diagnostics.append(Diagnostic(.error, "`action` is one of log, alert, deny, kill, pause", at: r.location("action")))
                return nil
            }
            x.action = a
        }
        if let c = r.string("count") {
            guard let v = Int(c), v >= 0 else {
                diagnostics.append(Diagnostic(.error, "`count` is a number of alerts", at: r.location("count")))
                return nil
            }
            x.count = v
        }
        if let s = r.string("seq") {
            guard let v = UInt64(s) else {
                diagnostics.append(Diagnostic(.error, "`seq` is the number of the event the rule fires on", at: r.location("seq")))
                return nil
            }
            x.seq = v
        }
        x.syscall = r.string("syscall")
        return x
    }

    private static func flag(_ r: ItemReader, _ key: String, _ diagnostics: inout [Diagnostic]) -> Bool? {
        guard r.has(key) else { return nil }
        if let b = r.bool(key) { return b }
        diagnostics.append(Diagnostic(.error, "`\(key)` is true or false", at: r.location(key)))
        return nil
    }

    private static func paths(_ n: Node?, dir: String, _ source: SourceFile, _ diagnostics: inout [Diagnostic]) -> [String]? {
        guard let n else { return nil }
        let items = n.sequence ?? [n]
        var out: [String] = []
        for i in items {
            guard let s = i.string, !s.isEmpty else {
                diagnostics.append(Diagnostic(.error, "`policies` is a list of policy files or directories", at: NodeLocation.of(i, source)))
                continue
            }
            out.append(resolve(s, dir))
        }
        return out
    }

    static func resolve(_ p: String, _ dir: String) -> String {
        if p.hasPrefix("/") || dir.isEmpty { return p }
        return dir + "/" + p
    }
}
