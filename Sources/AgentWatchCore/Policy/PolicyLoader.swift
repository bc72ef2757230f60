// YAML → PolicyDocument. Files are applied in order; later files append to,
// override, replace or disable what earlier ones declared, as in Falco.

import Foundation
import Yams

public struct PolicyLoader {
    public private(set) var document = PolicyDocument()

    public init() {}

    /// Loads one file from disk. Unreadable files become an error diagnostic.
    public mutating func load(path: String) { apply(Self.parse(path: path)) }

    /// Loads files in order. Their YAML is parsed two at a time (it depends on
    /// nothing else and is most of the loading); the document is then built in
    /// order. A file parsed early (`early`) is not parsed again.
    mutating func load(paths: [String], early: [Parsed]) {
        var byPath = Dictionary(early.map { ($0.file, $0) }, uniquingKeysWith: { first, _ in first })
        let rest = paths.filter { byPath[$0] == nil }
        for p in SharedWork.map(rest.count, { Self.parse(path: rest[$0]) }) { byPath[p.file] = p }
        for path in paths { apply(byPath[path] ?? Self.parse(path: path)) }
    }

    public mutating func load(yaml: String, file: String) { apply(Self.parse(yaml: yaml, file: file)) }

    /// A file's text and its YAML tree, or the diagnostic that stopped it.
    struct Parsed {
        let file: String
        let yaml: String
        let root: Root

        enum Root {
            case tree(Node?)
            case failed(Diagnostic)
        }
    }

    static func parse(path: String) -> Parsed {
        guard let data = FileBytes.read(path) else {
            return Parsed(file: path, yaml: "", root: .failed(Diagnostic(.error, "cannot read policy file",
                                                                           at: SourceLocation(file: path, line: 1, column: 1))))
        }
        return parse(yaml: String(decoding: data, as: UTF8.self), file: path)
    }

    static func parse(yaml: String, file: String) -> Parsed {
        do {
            // The loader reads every scalar as text (it parses booleans itself), so
            // Yams's implicit typing, a regular expression per scalar, is skipped.
            // The encoding is given: Yams's default reads the whole environment.
            // A resolver of its own (`removing` is Yams's only public way to get a
            // fresh one): every node retains it, and a shared one makes the two
            // parsing threads fight over its reference count.
            return Parsed(file: file, yaml: yaml, root: .tree(try Yams.compose(yaml: yaml, Yams.Resolver.basic.removing(.null),
                                                                          .default, .utf8)))
        } catch let e as YamlError {
            return Parsed(file: file, yaml: yaml, root: .failed(YamlErrors.diagnostic(e, file: file)))
        } catch {
            return Parsed(file: file, yaml: yaml, root: .failed(Diagnostic(.error, "YAML: \(error)",
                                                                             at: SourceLocation(file: file, line: 1, column: 1))))
        }
    }

    mutating func apply(_ parsed: Parsed) {
        let file = parsed.file
        document.files.append(file)
        let source = SourceFile(name: file, text: parsed.yaml)
        let root: Node?
        switch parsed.root {
        case .tree(let r): root = r
        case .failed(let d):
            document.diagnostics.append(d)
            return
        }
        guard let root else { return }  // empty file
        guard let items = root.sequence else {
            err("a policy file is a list of `- rule:`, `- macro:` and `- list:` items", root, source)
            return
        }
        var seenRules: [String: SourceLocation] = [:]
        for item in items {
            guard let map = item.mapping else {
                err("expected a mapping (`- rule: …`), found \(kind(item))", item, source)
                continue
            }
            var b = ItemReader(map: map, node: item, source: source)
            if b.has("rule") {
                loadRule(&b, seen: &seenRules)
            } else if b.has("macro") {
                loadMacro(&b)
            } else if b.has("list") {
                loadList(&b)
            } else if b.has("required_engine_version") || b.has("required_plugin_versions") {
                b.allow(["required_engine_version", "required_plugin_versions"])
            } else {
                let keys = map.keys.compactMap(\.string).joined(separator: ", ")
                err("unknown item with keys [\(keys)]: expected rule, macro or list", item, source)
            }
            document.diagnostics += b.diagnostics
        }
    }

    // MARK: lists

    private mutating func loadList(_ b: inout ItemReader) {
        b.allow(["list", "items", "append", "override"])
        guard let name = b.string("list") else { return }
        let loc = b.location("list")
        var items: [ListDecl.Item] = []
        if let node = b.node("items") {
            if let seq = node.sequence {
                for n in seq {
                    if let s = n.scalar {
                        items.append(ListItemText.item(s.string, style: s.style))
                    } else {
                        b.error("list items must be strings", n)
                    }
                }
            } else if node.scalar?.string.isEmpty == false {
                b.error("`items` must be a list", node)
            }
        } else {
            b.error("list \(name) has no `items`", b.node("list"))
        }
        switch b.mode(for: "items") {
        case .append:
            guard var old = document.lists[name] else {
                b.error("cannot append to list \(name): it is not defined earlier", b.node("list"))
                return
            }
            old.items += items
            document.lists[name] = old
        case .replace, .define:
            if document.lists[name] == nil { document.listOrder.append(name) }
            document.lists[name] = ListDecl(name: name, items: items, location: loc)
        }
    }

    // MARK: macros

    private mutating func loadMacro(_ b: inout ItemReader) {
        b.allow(["macro", "condition", "append", "override"])
        guard let name = b.string("macro") else { return }
        guard let cond = b.sourceText("condition") else {
            b.error("macro \(name) has no `condition`", b.node("macro"))
            return
        }
        switch b.mode(for: "condition") {
        case .append:
            guard var old = document.macros[name] else {
                b.error("cannot append to macro \(name): it is not defined earlier", b.node("macro"))
                return
            }
            old.condition.append(cond)
            document.macros[name] = old
        case .replace, .define:
            if document.macros[name] == nil { document.macroOrder.append(name) }
            document.macros[name] = MacroDecl(name: name, condition: cond, location: b.location("macro"))
        }
    }

    // MARK: rules

    private static let ruleKeys: Set<String> = [
        "rule", "desc", "condition", "output", "priority", "tags", "enabled", "exceptions", "source",
        "skip-if-unknown-filter", "warn_evttypes", "append", "override", "action", "errno", "scope", "sequence",
        "capture", "capture_duration",
    ]

    private mutating func loadRule(_ b: inout ItemReader, seen: inout [String: SourceLocation]) {
        b.allow(Self.ruleKeys)
        guard let name = b.string("rule") else { return }
        let loc = b.location("rule")
        let existing = document.ruleIndex(name)
        let isAppend = b.bool("append") == true
        let override = b.overrideModes(allowed: [
            "condition", "output", "desc", "priority", "tags", "exceptions", "enabled", "source", "action",
            "errno", "scope", "skip-if-unknown-filter", "warn_evttypes", "sequence",
        ], appendable: ["condition", "exceptions", "output", "desc", "tags"])
        let contentKeys = b.keys.intersection(Self.ruleKeys).subtracting(["rule", "append", "override"])

        // `- rule: X` + `enabled: false` alone toggles an existing rule.
        if !isAppend, override.isEmpty, contentKeys == ["enabled"] {
            guard let i = existing else {
                b.error("cannot enable/disable rule \(name): it is not defined earlier", b.node("rule"))
                return
            }
            document.rules[i].enabled = b.bool("enabled") ?? true
            return
        }

        var new = RuleDecl(name: name, location: loc)
        readRuleFields(&b, into: &new, present: contentKeys)

        if isAppend || !override.isEmpty {
            guard let i = existing else {
                b.error("cannot \(isAppend ? "append to" : "override") rule \(name): it is not defined earlier", b.node("rule"))
                return
            }
            var old = document.rules[i]
            if isAppend {
                if let c = new.condition {
                    if old.condition == nil { old.condition = c } else { old.condition?.append(c) }
                }
                old.exceptions = mergeExceptions(old.exceptions, new.exceptions)
                for k in contentKeys.subtracting(["condition", "exceptions"]) {
                    b.warning("`\(k)` is ignored when appending (only condition and exceptions append)", b.node(k))
                }
            } else {
                for k in contentKeys where override[k] == nil {
                    b.error("`\(k)` is given but not listed under `override`", b.node(k))
                }
                for (k, mode) in override {
                    guard contentKeys.contains(k) else {
                        b.error("`override` lists \(k) but the item does not set it", b.node("override"))
                        continue
                    }
                    apply(key: k, mode: mode, from: new, to: &old)
                }
            }
            document.rules[i] = old
            return
        }

        for k in ["condition", "output", "priority"] where !contentKeys.contains(k) {
            if k == "condition", new.sequence != nil { continue }
            if k == "output" || k == "priority" {
                // Falco requires them; we default (alert, Warning) but say so.
                b.warning("rule \(name) has no `\(k)`", b.node("rule"))
                continue
            }
            b.error("rule \(name) has no `condition` (or `sequence`)", b.node("rule"))
            return
        }
        if let prev = seen[name] {
            b.warning("duplicate rule \(name): replaces the definition at \(prev)", b.node("rule"))
        }
        seen[name] = loc
        if let i = existing { document.rules[i] = new } else { document.rules.append(new) }
    }

    private func apply(key: String, mode: ItemReader.Mode, from n: RuleDecl, to o: inout RuleDecl) {
        let append = mode == .append
        switch key {
        case "condition":
            if append, var c = o.condition, let nc = n.condition { c.append(nc); o.condition = c } else { o.condition = n.condition }
        case "exceptions": o.exceptions = append ? mergeExceptions(o.exceptions, n.exceptions) : n.exceptions
        case "output": o.output = append ? o.output + " " + n.output : n.output
        case "desc": o.desc = append ? o.desc + " " + n.desc : n.desc
        case "tags": o.tags = append ? o.tags + n.tags : n.tags
        case "priority": o.priority = n.priority
        case "enabled": o.enabled = n.enabled
        case "source": o.source = n.source
        case "action": o.action = n.action
        case "errno": o.errno = n.errno
        case "scope": o.scope = n.scope
        case "skip-if-unknown-filter": o.skipIfUnknownFilter = n.skipIfUnknownFilter
        case "warn_evttypes": o.warnEvttypes = n.warnEvttypes
        case "sequence": o.sequence = n.sequence
        default: break
        }
        if let l = n.keyLocations[key] { o.keyLocations[key] = l }
    }

    /// Appended exceptions with a known name add values; new names add exceptions.
    private func mergeExceptions(_ old: [ExceptionDecl], _ new: [ExceptionDecl]) -> [ExceptionDecl] {
        var out = old
        for e in new {
            if let i = out.firstIndex(where: { $0.name == e.name }) {
                out[i].values += e.values
            } else {
                out.append(e)
            }
        }
        return out
    }

    private func readRuleFields(_ b: inout ItemReader, into r: inout RuleDecl, present: Set<String>) {
        for k in present { r.keyLocations[k] = b.location(k) }
        r.desc = b.string("desc") ?? ""
        r.condition = b.sourceText("condition")
        r.output = b.string("output")?.trimmingTrailingNewlines() ?? ""
        if let p = b.string("priority") {
            if let pr = Priority(name: p.trimmingWhitespace()) { r.priority = pr } else {
                b.error("unknown priority '\(p)' (expected EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFORMATIONAL, DEBUG)", b.node("priority"))
            }
        }
        if let t = b.node("tags") {
            if let seq = t.sequence { r.tags = seq.compactMap(\.string) } else if t.scalar?.string.isEmpty != true {
                b.error("`tags` must be a list", t)
            }
        }
        if present.contains("enabled") {
            if let e = b.bool("enabled") { r.enabled = e } else { b.error("`enabled` must be true or false", b.node("enabled")) }
        }
        if let s = b.string("source") { r.source = s }
        if present.contains("skip-if-unknown-filter") { r.skipIfUnknownFilter = b.bool("skip-if-unknown-filter") ?? false }
        if present.contains("warn_evttypes") { r.warnEvttypes = b.bool("warn_evttypes") ?? true }
        if let a = b.string("action") {
            if let act = PolicyAction(rawValue: a.lowercased()) { r.action = act } else {
                b.error("unknown action '\(a)' (expected log, alert, deny, kill or pause)", b.node("action"))
            }
        }
        if let e = b.string("errno") {
            if let n = Errno.parse(e) { r.errno = n } else { b.error("unknown errno '\(e)' (use a name like EPERM or a number)", b.node("errno")) }
        }
        if let s = b.string("scope") {
            if let sc = KillScope(rawValue: s.lowercased()) { r.scope = sc } else {
                b.error("unknown scope '\(s)' (expected tree or process)", b.node("scope"))
            }
        }
        if let n = b.node("exceptions") { r.exceptions = ExceptionReader.read(n, &b) }
        if let n = b.node("sequence") { r.sequence = SequenceReader.read(n, &b) }
    }

    private mutating func err(_ msg: String, _ node: Node, _ source: SourceFile) {
        document.diagnostics.append(Diagnostic(.error, msg, at: NodeLocation.of(node, source)))
    }

    private func kind(_ n: Node) -> String {
        switch n {
        case .scalar(let s): return "'\(s.string)'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = self
        while s.last == "\n" { s.removeLast() }
        return s
    }
}
