/// One self-contained HTML file: inline style, no scripts, nothing fetched.
public enum ReportHTML {
    static func esc(_ s: String) -> String {
        var o = ""
        o.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            default: o.unicodeScalars.append(c)
            }
        }
        return o
    }

    static func seconds(_ ns: UInt64) -> String {
        let ms = ns / 1_000_000
        return "\(ms / 1000).\(String(format3(ms % 1000)))s"
    }

    static func format3(_ v: UInt64) -> String { v < 10 ? "00\(v)" : v < 100 ? "0\(v)" : "\(v)" }

    static let style = """
        body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2330;background:#f7f8fa}
        h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid #d8dce3;padding-bottom:4px}
        .meta{color:#5b6475} code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
        .cards{display:flex;gap:12px;margin:16px 0}.card{background:#fff;border:1px solid #d8dce3;border-radius:8px;padding:10px 16px}
        .card b{display:block;font-size:20px}.bad b{color:#b3261e}
        .alert{background:#fdecea;border:1px solid #e8a39d;border-left:6px solid #b3261e;border-radius:6px;padding:12px 16px;margin:12px 0}
        .alert h3{margin:0 0 6px;font-size:15px;color:#8c1d18}.badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:600;margin-left:6px}
        .kill{background:#b3261e;color:#fff}.deny{background:#e8710a;color:#fff}.pause{background:#7b3fb5;color:#fff}.alertb{background:#f2c14e}.log{background:#ccd}
        table{border-collapse:collapse;background:#fff}td,th{border:1px solid #e1e4ea;padding:3px 8px;text-align:left;vertical-align:top}
        th{background:#eef0f4}.tree ul{list-style:none;margin:0;padding-left:22px;border-left:1px dashed #c4c9d2}
        .tree>ul{border-left:0;padding-left:0}.tree li{margin:3px 0}.proc{background:#fff;border:1px solid #d8dce3;border-radius:5px;padding:2px 8px;display:inline-block}
        .proc.hot{background:#fdecea;border-color:#b3261e}.pid{color:#5b6475}.life{color:#5b6475;font-size:12px}
        .k{font-weight:600}.failed{color:#b3261e}pre{background:#fff;border:1px solid #e1e4ea;padding:8px;overflow:auto;margin:6px 0}
        """

    public static func render(_ m: ReportModel) -> String {
        var h = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>agentwatch report</title><style>\(style)</style></head><body>"
        let command = m.header?.command.joined(separator: " ") ?? ""
        h += "<h1>agentwatch incident report</h1><div class=\"meta\"><code>\(esc(command))</code> on \(esc(m.header?.host ?? "?"))"
        if let start = m.header?.startWall { h += ", started \(Alert.isoTime(start))" }
        h += "</div>"
        let killed = m.alerts.filter { $0.action == "kill" }.count
        h += "<div class=\"cards\"><div class=\"card\"><b>\(m.procs.count)</b>processes</div><div class=\"card\"><b>\(m.eventCount)</b>events</div>"
        h += "<div class=\"card\"><b>\(seconds(m.lastWall &- m.firstWall))</b>traced</div>"
        h += "<div class=\"card\(m.alerts.isEmpty ? "" : " bad")\"><b>\(m.alerts.count)</b>alerts\(killed > 0 ? ", \(killed) killed" : "")</div></div>"

        h += "<h2>Alerts</h2>"
        if m.alerts.isEmpty { h += "<p>No rule matched.</p>" }
        for a in m.alerts {
            let cls = ["kill": "kill", "deny": "deny", "pause": "pause", "log": "log"][a.action] ?? "alertb"
            h += "<div class=\"alert\"><h3>\(esc(a.rule))<span class=\"badge \(cls)\">\(esc(a.action))</span><span class=\"badge log\">\(esc(a.priority))</span></h3>"
            h += "<div><span class=\"k\">pid \(a.pid)</span> <code>\(esc(a.exe))</code> — <code>\(esc(a.cmdline))</code> <span class=\"meta\">\(esc(a.time))</span></div>"
            if !a.ancestors.isEmpty { h += "<div class=\"meta\">ancestry: \(a.ancestors.map(esc).joined(separator: " ← "))</div>" }
            h += "<pre>\(esc(a.syscall))</pre>"
            if !a.output.isEmpty { h += "<div>\(esc(a.output))</div>" }
            if !a.fields.isEmpty {
                h += "<table class=\"mono\" style=\"margin-top:6px\"><tr><th>field</th><th>value</th></tr>"
                for (k, v) in a.fields { h += "<tr><td>\(esc(k))</td><td>\(esc(v))</td></tr>" }
                h += "</table>"
            }
            if !a.stack.isEmpty { h += "<pre>\(a.stack.map(esc).joined(separator: "\n"))</pre>" }
            h += "</div>"
        }

        h += "<h2>Process tree</h2><div class=\"tree\"><ul>"
        func node(_ pid: Int32, depth: Int) {
            guard let p = m.procs[pid], depth < 64 else { return }
            let life = "+\(seconds(p.started &- m.firstWall))" + (p.ended.map { ", ran \(seconds($0 &- p.started))" } ?? ", still running")
            h += "<li><span class=\"proc\(p.alerts > 0 ? " hot" : "")\"><span class=\"pid\">\(p.pid)</span> <code>\(esc(p.exe))</code> \(esc(p.argv.dropFirst().joined(separator: " ")))"
            h += " <span class=\"life\">\(life)\(p.exit.isEmpty ? "" : ", " + esc(p.exit))</span>"
            if p.alerts > 0 { h += "<span class=\"badge kill\">\(p.alerts) alert\(p.alerts > 1 ? "s" : "")</span>" }
            h += "</span>"
            if !p.children.isEmpty {
                h += "<ul>"
                for c in p.children { node(c, depth: depth + 1) }
                h += "</ul>"
            }
            h += "</li>"
        }
        for r in m.roots { node(r, depth: 0) }
        h += "</ul></div>"

        h += "<h2>Timeline: executions, connections, files written</h2><table class=\"mono\"><tr><th>time</th><th>pid</th><th>what</th><th></th></tr>"
        for r in m.timeline {
            h += "<tr><td>+\(seconds(r.wall &- m.firstWall))</td><td>\(r.pid)</td><td>\(r.kind)</td><td\(r.failed ? " class=\"failed\"" : "")>\(esc(r.text))</td></tr>"
        }
        h += "</table>"
        if m.timelineDropped > 0 { h += "<p class=\"meta\">\(m.timelineDropped) more rows not shown.</p>" }
        h += "</body></html>\n"
        return h
    }
}

/// A Markdown summary of the same report.
public enum ReportMarkdown {
    public static func render(_ m: ReportModel) -> String {
        var s = "# agentwatch incident report\n\n"
        s += "`\(m.header?.command.joined(separator: " ") ?? "")` on \(m.header?.host ?? "?")"
        if let start = m.header?.startWall { s += ", started \(Alert.isoTime(start))" }
        s += "\n\n\(m.procs.count) processes, \(m.eventCount) events, \(m.alerts.count) alerts.\n\n## Alerts\n\n"
        if m.alerts.isEmpty { s += "No rule matched.\n" }
        for a in m.alerts {
            s += "- **\(a.rule)** (\(a.priority), \(a.action)): pid \(a.pid) `\(a.cmdline)` — `\(a.syscall)`\n"
            if !a.output.isEmpty { s += "  - \(a.output)\n" }
            for f in a.stack.prefix(8) { s += "  - `\(f)`\n" }
        }
        s += "\n## Process tree\n\n"
        func node(_ pid: Int32, _ depth: Int) {
            guard let p = m.procs[pid], depth < 64 else { return }
            s += String(repeating: "  ", count: depth) + "- \(p.pid) `\(p.exe)` \(p.argv.dropFirst().joined(separator: " "))"
            s += p.exit.isEmpty ? "" : " (\(p.exit))"
            s += p.alerts > 0 ? " **\(p.alerts) alert(s)**\n" : "\n"
            for c in p.children { node(c, depth + 1) }
        }
        for r in m.roots { node(r, 0) }
        s += "\n## Timeline\n\n| time | pid | what | |\n|---|---|---|---|\n"
        for r in m.timeline.prefix(500) {
            s += "| +\(ReportHTML.seconds(r.wall &- m.firstWall)) | \(r.pid) | \(r.kind) | \(r.text.replacingPipes) |\n"
        }
        return s
    }
}

extension String {
    var replacingPipes: String { split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|") }
}
