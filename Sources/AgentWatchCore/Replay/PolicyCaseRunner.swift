import Foundation

// Runs test cases: loads the case's policies, replays its events through the
// same driver as `agentwatch replay`, and checks what fired against what was expected.

public struct CaseResult: Sendable {
    public enum Status: String, Sendable { case pass, fail, skip }
    public var name: String
    public var location: SourceLocation
    public var status: Status
    /// Why it failed, or the todo reason of a skipped case.
    public var reason: String
    /// Rules that fired, with how often, for tooling.
    public var fired: [String: Int]
}

public final class PolicyCaseRunner {
    let live: LiveCase
    let builtinDirectory: String?
    /// Compiled policy sets by file list: cases of a file share them.
    private var cache: [[String]: PolicySet] = [:]

    /// `agentwatch` is the binary live cases run; `builtinDirectory` the pack `defaults: true` loads.
    public init(agentwatch: String, builtinDirectory: String?) {
        live = LiveCase(agentwatch: agentwatch, builtinDirectory: builtinDirectory)
        self.builtinDirectory = builtinDirectory
    }

    public func run(_ c: PolicyCase) -> CaseResult {
        var result = CaseResult(name: c.name, location: c.location, status: .pass, reason: "", fired: [:])
        switch evaluate(c) {
        case .success(let alerts):
            for a in alerts { result.fired[a.rule, default: 0] += 1 }
            let problems = check(c, alerts)
            if !problems.isEmpty {
                result.status = .fail
                result.reason = problems.joined(separator: "; ")
            }
        case .failure(let f):
            result.status = .fail
            result.reason = f.message
        }
        if let todo = c.todo {
            // A known gap never fails the suite; one that closed says so.
            result.reason = result.status == .pass ? "\(todo) (passes now: remove `todo`)" : todo
            result.status = .skip
        }
        return result
    }

    private func evaluate(_ c: PolicyCase) -> Result<[Alert], CaseFailure> {
        let policySet: PolicySet
        switch policies(c) {
        case .success(let s): policySet = s
        case .failure(let f): return .failure(f)
        }
        if let unknown = unknownRules(c, policySet) { return .failure(unknown) }
        var alerts: [Alert] = []
        let driver = ReplayDriver(policies: policySet, sinks: [])
        driver.onMatch = { alerts.append($0) }
        let scratch = NSTemporaryDirectory() + "agentwatch-case-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        do {
            let input: ReplayInput
            switch c.source {
            case .events(let inline):
                // Names resolved through the resolver every live run trusts (systemd's stub) count here too.
                let header = TraceHeader(agentwatchVersion: "inline", host: "", command: [], startWall: InlineEvents.startWall,
                                         tracerPid: 1, dnsServers: ["127.0.0.53"])
                input = ReplayInput(name: c.location.file, stream: EventList(inline.events), header: header, format: .agentwatch)
            case .file(let path, let format):
                input = try ReplayInput(path: path, format: format)
            case .run(let argv, let timeout):
                try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
                // Enforced live with the same policies: a deny changes what happens next.
                switch live.record(argv, policies: c.policies, defaults: c.defaults, timeout: timeout, cwd: c.directory, dir: scratch) {
                case .success(let trace): input = try ReplayInput(path: trace)
                case .failure(let f): return .failure(f)
                }
            }
            _ = try driver.replay(input)
        } catch {
            return .failure(CaseFailure(error.description))
        }
        return .success(alerts)
    }

    private func files(_ c: PolicyCase) -> [String] {
        var out: [String] = []
        if c.defaults, let dir = builtinDirectory { out += PolicyFiles.expand(dir) }
        for p in c.policies { out += PolicyFiles.expand(p) }
        return out
    }

    private func policies(_ c: PolicyCase) -> Result<PolicySet, CaseFailure> {
        for p in c.policies where !FileManager.default.fileExists(atPath: p) {
            return .failure(CaseFailure("no such policy file or directory: \(p)"))
        }
        if c.defaults, builtinDirectory == nil { return .failure(CaseFailure("the built-in pack was not found")) }
        let list = files(c)
        if list.isEmpty { return .failure(CaseFailure("no policies: give `policies` or `defaults: true`")) }
        let set = cache[list] ?? PolicySet.load(paths: list)
        cache[list] = set
        if !set.errors.isEmpty {
            return .failure(CaseFailure("policy errors: " + set.errors.prefix(3).map(\.description).joined(separator: "; ")))
        }
        return .success(set)
    }

    /// A misspelled rule name would make `expect_not` pass forever: every name must exist and run.
    private func unknownRules(_ c: PolicyCase, _ set: PolicySet) -> CaseFailure? {
        var names = c.expect.map { ($0.rule, $0.location) } + c.expectNot.map { ($0.rule, $0.location) }
        if case .events(let inline) = c.source {
            names += inline.mustFire.map { ($0.rule, $0.location) } + inline.mustNotFire.map { ($0.rule, $0.location) }
        }
        let running = Set(set.rules.map(\.name))
        for (name, at) in names where !running.contains(name) {
            if let skipped = set.skipped.first(where: { $0.rule == name }) {
                return CaseFailure("rule `\(name)` cannot run: \(skipped.reason) (line \(at.line))")
            }
            if set.document.rules.contains(where: { $0.name == name }) {
                return CaseFailure("rule `\(name)` is disabled (line \(at.line))")
            }
            let near = running.min { FieldLookup.editDistance(name, $0) < FieldLookup.editDistance(name, $1) }
            var msg = "no rule named `\(name)` in the policies"
            if let near, FieldLookup.editDistance(name, near) <= max(3, name.count / 4) { msg += "; did you mean `\(near)`?" }
            return CaseFailure(msg + " (line \(at.line))")
        }
        return nil
    }

    private func check(_ c: PolicyCase, _ alerts: [Alert]) -> [String] {
        var problems: [String] = []
        for x in c.expect {
            let byRule = alerts.filter { $0.rule == x.rule }
            let hits = byRule.filter { a in
                (x.action == nil || a.action == x.action) && (x.seq == nil || a.seq == x.seq)
                    && (x.syscall == nil || Self.syscallName(a) == x.syscall)
            }
            var wanted: [String] = []
            if let a = x.action { wanted.append("action \(a)") }
            if let s = x.seq { wanted.append("seq \(s)") }
            if let s = x.syscall { wanted.append("on \(s)") }
            let detail = wanted.isEmpty ? "" : " with " + wanted.joined(separator: ", ")
            if let n = x.count {
                if hits.count != n {
                    problems.append("`\(x.rule)` fired \(times(hits.count))\(detail), expected \(times(n))" + seen(byRule))
                }
            } else if hits.isEmpty {
                problems.append(byRule.isEmpty ? "`\(x.rule)` did not fire" : "`\(x.rule)` did not fire\(detail)" + seen(byRule))
            }
        }
        for (rule, _) in c.expectNot {
            let hits = alerts.filter { $0.rule == rule }
            if !hits.isEmpty { problems.append("`\(rule)` fired" + seen(hits)) }
        }
        if case .events(let inline) = c.source {
            for m in inline.mustFire where !alerts.contains(where: { $0.rule == m.rule && m.seqs.contains($0.seq) }) {
                let other = alerts.filter { $0.rule == m.rule }
                problems.append("`\(m.rule)` did not fire on the event of line \(m.location.line) (seq \(seqText(m.seqs)))" + seen(other))
            }
            for m in inline.mustNotFire where alerts.contains(where: { $0.rule == m.rule && m.seqs.contains($0.seq) }) {
                problems.append("`\(m.rule)` fired on the event of line \(m.location.line) (seq \(seqText(m.seqs))), marked ok")
            }
        }
        return problems
    }

    private func seqText(_ seqs: [UInt64]) -> String { seqs.map(String.init).joined(separator: "/") }

    private func times(_ n: Int) -> String { n == 1 ? "once" : "\(n) times" }

    /// What a rule did fire on, to make a failure actionable.
    private func seen(_ hits: [Alert]) -> String {
        guard !hits.isEmpty else { return "" }
        let shown = hits.prefix(3).map { "\($0.action) on seq \($0.seq) \(Self.syscallName($0)) pid \($0.pid)" }
        return " (fired: " + shown.joined(separator: ", ") + (hits.count > 3 ? ", …" : "") + ")"
    }

    /// The syscall an alert is about, by name: its decoded text up to the parenthesis.
    static func syscallName(_ a: Alert) -> String {
        if let paren = a.syscall.firstIndex(of: "(") { return String(a.syscall[..<paren]) }
        return a.syscall
    }
}
