import Glibc

// Where strace lines come from: one log (strace -f -o FILE, or a terminal
// capture), or the per-process files of strace -ff -o FILE (FILE.PID), merged
// into one stream.

struct StraceRawLine {
    var bytes: [UInt8]
    var file: String
    var number: Int
    /// The pid a -ff file name gives every line in it.
    var pid: Int32?
    /// False for a last line cut short.
    var terminated: Bool
}

protocol StraceLineSource: AnyObject {
    func next() throws(TraceDiagnostic) -> StraceRawLine?
}

final class StraceFileLines: StraceLineSource {
    let reader: ByteLineReader
    let pid: Int32?

    init(_ reader: ByteLineReader, pid: Int32? = nil) {
        self.reader = reader
        self.pid = pid
    }

    func next() throws(TraceDiagnostic) -> StraceRawLine? {
        guard let l = try reader.next() else { return nil }
        return StraceRawLine(bytes: Array(l.bytes), file: reader.name, number: l.number, pid: pid, terminated: l.terminated)
    }
}

/// strace -ff output: each file holds one task's lines. With timestamps the
/// files are merged by time (a k-way merge holding one line per file); without,
/// they are read one after another in pid order, parents (lower pids) first.
final class StraceMergedLines: StraceLineSource {
    private var sources: [StraceFileLines]
    private var heads: [StraceRawLine?]
    private var times: [UInt64?]
    private var byTime: Bool
    private var current = 0

    init(_ files: [(pid: Int32, path: String)]) throws(TraceDiagnostic) {
        var sources: [StraceFileLines] = []
        for f in files.sorted(by: { $0.pid < $1.pid }) {
            sources.append(StraceFileLines(try ByteLineReader(path: f.path), pid: f.pid))
        }
        self.sources = sources
        heads = []
        times = []
        byTime = true
        for s in sources {
            let h = try s.next()
            heads.append(h)
            let t = h.flatMap { StraceLine.sortTime($0.bytes) }
            times.append(t)
            if h != nil && t == nil { byTime = false }
        }
    }

    func next() throws(TraceDiagnostic) -> StraceRawLine? {
        if !byTime {
            while current < sources.count {
                if let h = heads[current] {
                    heads[current] = try sources[current].next()
                    return h
                }
                current += 1
            }
            return nil
        }
        var best: Int?
        for i in heads.indices where heads[i] != nil {
            // A line without a time (a continuation) sorts with its predecessor.
            if let b = best, (times[i] ?? 0) >= (times[b] ?? 0) { continue }
            best = i
        }
        guard let i = best, let line = heads[i] else { return nil }
        heads[i] = try sources[i].next()
        if let h = heads[i], let t = StraceLine.sortTime(h.bytes) { times[i] = t }
        return line
    }

    /// The per-pid files of `strace -ff -o prefix`: prefix.PID, by pid.
    static func files(prefix: String) -> [(pid: Int32, path: String)] {
        let slash = prefix.lastIndex(of: "/")
        let dir = slash.map { String(prefix[..<$0]) } ?? "."
        let base = slash.map { String(prefix[prefix.index(after: $0)...]) } ?? prefix
        guard let d = opendir(dir.isEmpty ? "/" : dir) else { return [] }
        defer { closedir(d) }
        var out: [(Int32, String)] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasPrefix(base + "."), let pid = Int32(name.dropFirst(base.count + 1)) else { continue }
            out.append((pid, (slash == nil ? "" : dir + "/") + name))
        }
        return out.sorted { $0.0 < $1.0 }
    }
}
