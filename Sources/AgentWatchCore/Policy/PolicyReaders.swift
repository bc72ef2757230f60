// Readers for the structured rule keys: Falco exceptions and our sequences.

import Yams

enum ExceptionReader {
    static func read(_ node: Node, _ b: inout ItemReader) -> [ExceptionDecl] {
        guard let seq = node.sequence else {
            if node.scalar?.string.isEmpty != true { b.error("`exceptions` must be a list", node) }
            return []
        }
        var out: [ExceptionDecl] = []
        for item in seq {
            guard let m = item.mapping else { b.error("each exception is a mapping with name, fields, comps, values", item); continue }
            let sub = ItemReader(map: m, node: item, source: b.source)
            var r = sub
            r.allow(["name", "fields", "comps", "values"])
            b.diagnostics += r.diagnostics
            guard let name = r.string("name") else { b.error("exception without `name`", item); continue }
            var fields: [String] = []
            var fieldsIsList = false
            if let f = r.node("fields") {
                if let s = f.sequence { fields = s.compactMap(\.string); fieldsIsList = true } else if let s = f.string { fields = [s] }
            }
            var comps: [String] = []
            if let c = r.node("comps") {
                if let s = c.sequence { comps = s.compactMap(\.string) } else if let s = c.string { comps = [s] }
            }
            if comps.isEmpty { comps = fieldsIsList ? Array(repeating: "=", count: fields.count) : ["in"] }
            if fieldsIsList, comps.count != fields.count {
                b.error("exception \(name): \(fields.count) fields but \(comps.count) comps", r.node("comps") ?? item)
                continue
            }
            var values: [[ExceptionDecl.Value]] = []
            if let v = r.node("values"), let vs = v.sequence {
                for tuple in vs {
                    if fieldsIsList {
                        guard let parts = tuple.sequence else {
                            b.error("exception \(name): each value must be a list of \(fields.count) items", tuple)
                            continue
                        }
                        if parts.count != fields.count {
                            b.error("exception \(name): value has \(parts.count) items for \(fields.count) fields", tuple)
                            continue
                        }
                        values.append(parts.map(value))
                    } else {
                        values.append([value(tuple)])
                    }
                }
            }
            out.append(ExceptionDecl(name: name, fields: fields, fieldsIsList: fieldsIsList, comps: comps,
                                     values: values, location: NodeLocation.of(item, b.source)))
        }
        return out
    }

    private static func value(_ n: Node) -> ExceptionDecl.Value {
        if let s = n.sequence { return .list(s.compactMap(\.string)) }
        let s = n.scalar
        let quoted = s?.style == .singleQuoted || s?.style == .doubleQuoted
        return .scalar(s?.string ?? "", quoted: quoted)
    }
}

enum SequenceReader {
    static func read(_ node: Node, _ b: inout ItemReader) -> SequenceDecl? {
        guard let m = node.mapping else { b.error("`sequence` must be a mapping with steps, by, within", node); return nil }
        var r = ItemReader(map: m, node: node, source: b.source)
        r.allow(["steps", "by", "within"])
        b.diagnostics += r.diagnostics
        guard let stepsNode = r.node("steps"), let seq = stepsNode.sequence, !seq.isEmpty else {
            b.error("`sequence` needs a non-empty `steps` list of conditions", node)
            return nil
        }
        var steps: [SourceText] = []
        var locs: [SourceLocation] = []
        for s in seq {
            guard let sc = s.scalar else { b.error("each step is a condition string", s); return nil }
            steps.append(SourceText(sc.string, origin: NodeLocation.origin(s, b.source)))
            locs.append(NodeLocation.of(s, b.source))
        }
        var within: UInt64 = 60_000_000_000
        if let w = r.string("within") {
            guard let ns = Duration.parse(w) else {
                b.error("`within` must be a duration like 30s, 500ms, 5m", r.node("within"))
                return nil
            }
            within = ns
        }
        return SequenceDecl(steps: steps, stepLocations: locs, by: r.string("by") ?? "proc.pid",
                            byLocation: r.node("by").map { NodeLocation.of($0, b.source) }, within: within)
    }

    enum Duration {
        static func parse(_ s: String) -> UInt64? {
            let t = s.trimmingWhitespace()
            let units: [(String, UInt64)] = [("ms", 1_000_000), ("us", 1_000), ("ns", 1), ("s", 1_000_000_000),
                                              ("m", 60_000_000_000), ("h", 3_600_000_000_000)]
            for (u, mult) in units where t.hasSuffix(u) {
                guard let v = Double(String(t.dropLast(u.count)).trimmingWhitespace()), v >= 0 else { return nil }
                return UInt64(v * Double(mult))
            }
            guard let v = Double(t), v >= 0 else { return nil }
            return UInt64(v * 1_000_000_000)
        }
    }
}
