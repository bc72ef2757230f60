// Typed access to one YAML item (`- rule: …`) with diagnostics that point at
// the offending key or value.

import Foundation
import Yams

struct ItemReader {
    enum Mode: Equatable { case define, append, replace }

    let map: Node.Mapping
    let node: Node
    let source: SourceFile
    /// Each key's first occurrence: items are read key by key, so look-ups are hashed once here.
    private var entries: [String: (key: Node, value: Node)] = [:]
    var keys: Set<String> { Set(entries.keys) }
    var diagnostics: [Diagnostic] = []

    init(map: Node.Mapping, node: Node, source: SourceFile) {
        self.map = map
        self.node = node
        self.source = source
        for (k, v) in map {
            guard let s = k.string else { continue }
            if entries[s] != nil {
                diagnostics.append(Diagnostic(.error, "duplicate key `\(s)`", at: NodeLocation.of(k, source)))
            } else {
                entries[s] = (k, v)
            }
        }
    }

    func has(_ key: String) -> Bool { entries[key] != nil }

    func node(_ key: String) -> Node? { entries[key]?.value }

    private func keyNode(_ key: String) -> Node? { entries[key]?.key }

    mutating func allow(_ allowed: Set<String>) {
        for (k, _) in map {
            guard let s = k.string, !allowed.contains(s) else { continue }
            let hint = allowed.min { FieldLookup.editDistance(s, $0) < FieldLookup.editDistance(s, $1) }
            var msg = "unknown key `\(s)`"
            if let h = hint, FieldLookup.editDistance(s, h) <= 2 { msg += "; did you mean `\(h)`?" }
            diagnostics.append(Diagnostic(.error, msg, at: NodeLocation.of(k, source)))
        }
    }

    func string(_ key: String) -> String? {
        guard let n = node(key) else { return nil }
        if let s = n.scalar { return s.string }
        return nil
    }

    func bool(_ key: String) -> Bool? {
        guard let s = string(key)?.lowercased() else { return nil }
        switch s {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    func location(_ key: String) -> SourceLocation {
        NodeLocation.of(node(key) ?? node, source)
    }

    func sourceText(_ key: String) -> SourceText? {
        guard let n = node(key), let s = n.scalar else { return nil }
        return SourceText(s.string, origin: NodeLocation.origin(n, source))
    }

    /// `append: true` or the item's `override:` entry for `key`.
    mutating func mode(for key: String) -> Mode {
        if bool("append") == true { return .append }
        let ov = overrideModes(allowed: [key], appendable: [key])
        return ov[key] ?? .define
    }

    mutating func overrideModes(allowed: Set<String>, appendable: Set<String>) -> [String: Mode] {
        guard let n = node("override") else { return [:] }
        guard let m = n.mapping else {
            error("`override` must map keys to append or replace", n)
            return [:]
        }
        var out: [String: Mode] = [:]
        for (k, v) in m {
            guard let key = k.string else { continue }
            guard allowed.contains(key) else {
                error("`\(key)` cannot be overridden here", k)
                continue
            }
            switch v.string?.lowercased() {
            case "append"?:
                if appendable.contains(key) { out[key] = .append } else { error("`\(key)` can only be replaced, not appended", v) }
            case "replace"?: out[key] = .replace
            default: error("override mode must be append or replace", v)
            }
        }
        return out
    }

    mutating func error(_ msg: String, _ at: Node?) {
        diagnostics.append(Diagnostic(.error, msg, at: NodeLocation.of(at ?? node, source)))
    }

    mutating func warning(_ msg: String, _ at: Node?) {
        diagnostics.append(Diagnostic(.warning, msg, at: NodeLocation.of(at ?? node, source)))
    }
}

enum NodeLocation {
    static func of(_ n: Node, _ source: SourceFile) -> SourceLocation {
        let m = n.mark
        return SourceLocation(file: source.name, line: m?.line ?? 1, column: m?.column ?? 1)
    }

    static func origin(_ n: Node, _ source: SourceFile) -> ScalarOrigin {
        let m = n.mark
        return ScalarOrigin(source: source, line: m?.line ?? 1, column: m?.column ?? 1)
    }
}

enum YamlErrors {
    static func diagnostic(_ e: YamlError, file: String) -> Diagnostic {
        switch e {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let where_ = SourceLocation(file: file, line: mark.line, column: mark.column)
            let ctx = context.map { "\($0.text) " } ?? ""
            return Diagnostic(.error, "YAML: \(ctx)\(problem)", at: where_)
        default:
            return Diagnostic(.error, "YAML: \(e)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }
}

enum ListItemText {
    /// Falco pastes list items into conditions as text, so `'"(systemd)"'` is
    /// a quoted literal; we unquote here instead of re-parsing.
    static func item(_ s: String, style: Node.Scalar.Style) -> ListDecl.Item {
        let t = s.trimmingWhitespace()
        if t.count >= 2, let f = t.first, f == "\"" || f == "'", t.last == f {
            if let v = try? ConditionParser.parseLiteral(t) { return ListDecl.Item(text: v, quoted: true) }
        }
        return ListDecl.Item(text: t, quoted: false)
    }
}

enum FileBytes {
    static func read(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" { s.removeLast() }
        return String(s)
    }
}
