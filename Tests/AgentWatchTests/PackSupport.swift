import Foundation
import Glibc
import Testing

/// Runs fixtures under agentwatch with the built-in pack (Policies/), in a
/// sandbox whose HOME is a temporary `.../home/agent`, and reads the alerts.
enum Pack {
    static let rogue = Harness.repo + "/Fixtures/rogue/"
    static let benign = Harness.repo + "/Fixtures/benign/"
    static let policies = Harness.repo + "/Policies"

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var alerts: [[String: Any]]
        var events: [[String: Any]]

        func fired(_ rule: String) -> [[String: Any]] { alerts.filter { $0["rule"] as? String == rule } }
        var rules: [String] { alerts.compactMap { $0["rule"] as? String } }
        /// Alerts at WARNING or above: what an honest run must not raise.
        var serious: [[String: Any]] {
            alerts.filter { ["Emergency", "Alert", "Critical", "Error", "Warning"].contains($0["priority"] as? String ?? "") }
        }
        var summary: String {
            alerts.map { "\($0["rule"] as? String ?? "?") [\($0["action"] as? String ?? "?")]: \($0["output"] as? String ?? "")" }
                .joined(separator: "\n") + "\nstatus \(status)\nstdout: \(stdout)\nstderr: \(stderr)"
        }
    }

    /// `agentwatch run --alerts FILE [--trace FILE] -- command` with the built-in pack.
    static func run(_ command: [String], sandbox: Sandbox, options: [String] = [], trace: Bool = false, timeout: Double = 60,
                    environment extra: [String: String] = [:], onStart: ((Process) -> Void)? = nil) throws -> Run {
        let alertsPath = sandbox.root + "/alerts-\(UUID().uuidString).jsonl"
        let tracePath = sandbox.root + "/trace-\(UUID().uuidString).jsonl"
        var args = ["run", "--alerts", alertsPath]
        if trace { args += ["--trace", tracePath] }
        args += options + ["--"] + command
        var env = ProcessInfo.processInfo.environment
        env["AGENTWATCH_POLICY_DIR"] = policies
        env["HOME"] = sandbox.home
        env["LC_ALL"] = "C"
        for (k, v) in extra { env[k] = v }
        let (status, out, err) = try Harness.exec(Harness.agentwatch, args, timeout: timeout, environment: env,
                                                  onStart: onStart)
        return Run(status: status, stdout: out, stderr: err, alerts: jsonLines(alertsPath),
                   events: trace ? jsonLines(tracePath).filter { $0["agentwatch_trace"] == nil } : [])
    }

    static func jsonLines(_ path: String) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// Runs `sh -c SCRIPT` untraced and says whether it exited 0 (capability probes).
    static func works(_ script: String) -> Bool {
        guard let r = try? Harness.exec("/bin/sh", ["-c", script + " >/dev/null 2>&1"], timeout: 10) else { return false }
        return r.0 == 0
    }

    /// A user and network namespace: the metadata test must not be able to reach anything.
    static let canUnshareNet = works("unshare -rn true")
    /// A namespace of our own whose loopback can carry test-host addresses.
    static let canNetnsHosts = works("TEST_HOSTS=192.0.2.1 unshare -rn \(rogue)netns_hosts.sh true")
    /// A pid namespace of our own, with its /proc.
    static let canPidNamespace = works("unshare -rpf --mount-proc true")
    /// A user and mount namespace with tmpfs over /etc, /var/spool and /var/log.
    static let canPrivateEtc = works("unshare -rm sh -c '\(privateMounts) && grep -q \" /etc tmpfs \" /proc/self/mounts'")
    static let privateMounts = "mount -t tmpfs none /etc && mount -t tmpfs none /var/spool && mount -t tmpfs none /var/log"

    /// The command that runs `argv` in a private mount namespace where /etc, /var/spool
    /// and /var/log are empty tmpfs: writes there vanish with the namespace.
    static func inPrivateEtc(_ argv: [String]) -> [String] {
        ["unshare", "-rm", "/bin/sh", "-c", privateMounts + " && exec \"$@\"", "sh"] + argv
    }
}

/// A temporary directory with `home/agent` (the fixture's HOME) and `work`.
final class Sandbox {
    let root: String
    var home: String { root + "/home/agent" }
    var work: String { root + "/work" }

    init() {
        root = NSTemporaryDirectory() + "agentwatch-pack-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: root + "/home/agent", withIntermediateDirectories: true)
        try? FileManager.default.createDirectory(atPath: root + "/work", withIntermediateDirectories: true)
    }

    /// Writes a file under the sandbox (path relative to root), creating directories.
    func write(_ relative: String, _ text: String) {
        let path = root + "/" + relative
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: root + "/" + relative) }
    func read(_ relative: String) -> String? { try? String(contentsOfFile: root + "/" + relative, encoding: .utf8) }

    deinit { try? FileManager.default.removeItem(atPath: root) }
}

/// A TCP server on 127.0.0.1 that counts what it receives: a fake pool, a
/// reverse-shell catcher (with a greeting: the commands it would send), a
/// fake ssh target (closing each connection after `closeAfter` seconds).
final class LoopbackServer: @unchecked Sendable {
    let fd: Int32
    let port: UInt16
    private let greeting: [UInt8]
    private let closeAfter: Double?
    private let lock = NSLock()
    private var _bytes = 0
    private var _connections = 0

    var bytes: Int { lock.lock(); defer { lock.unlock() }; return _bytes }
    var connections: Int { lock.lock(); defer { lock.unlock() }; return _connections }

    /// Binds `port` (0: any free one).
    init(port: UInt16 = 0, greeting: String = "", closeAfter: Double? = nil) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, 4)
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        a.sin_port = port.bigEndian
        let ok = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        self.fd = fd
        self.port = UInt16(bigEndian: a.sin_port)
        self.greeting = Array(greeting.utf8)
        self.closeAfter = closeAfter
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Listens on the unix stream socket `path` instead (port 0): a process
    /// outside the traced tree, as a local proxy would be.
    init(unixPath path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var a = sockaddr_un()
        a.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: a.sun_path) else { throw POSIXError(.ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &a.sun_path) { dst in for (i, b) in bytes.enumerated() { dst[i] = b } }
        let ok = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard ok == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        self.fd = fd
        self.port = 0
        self.greeting = []
        self.closeAfter = nil
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// The first of `ports` that is free on 127.0.0.1, or nil.
    static func first(of ports: [UInt16], closeAfter: Double? = nil) -> LoopbackServer? {
        for p in ports { if let s = try? LoopbackServer(port: p, closeAfter: closeAfter) { return s } }
        return nil
    }

    private func acceptLoop() {
        while true {
            let c = accept(fd, nil, nil)
            if c < 0 { return }
            lock.lock(); _connections += 1; lock.unlock()
            if !greeting.isEmpty { _ = greeting.withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
            if let closeAfter {
                DispatchQueue.global().asyncAfter(deadline: .now() + closeAfter) { shutdown(c, Int32(SHUT_RDWR)) }
            }
            Thread.detachNewThread { [self] in
                var buf = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = read(c, &buf, 4096)
                    if n <= 0 { break }
                    lock.lock(); _bytes += n; lock.unlock()
                }
                close(c)
            }
        }
    }

    /// Bytes received, after giving in-flight data a moment to arrive.
    func settledBytes() -> Int {
        usleep(200_000)
        return bytes
    }

    func stop() { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
}

/// A UDP socket on 127.0.0.1 counting datagram bytes: a fake DNS resolver.
final class LoopbackUDP: @unchecked Sendable {
    let fd: Int32
    let port: UInt16
    private let lock = NSLock()
    private var _bytes = 0
    var bytes: Int { lock.lock(); defer { lock.unlock() }; return _bytes }

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        self.fd = fd
        port = UInt16(bigEndian: a.sin_port)
        Thread.detachNewThread { [self] in
            var buf = [UInt8](repeating: 0, count: 2048)
            while true {
                let n = recv(fd, &buf, 2048, 0)
                if n <= 0 { return }
                lock.lock(); _bytes += n; lock.unlock()
            }
        }
    }

    func settledBytes() -> Int {
        usleep(200_000)
        return bytes
    }

    func stop() { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
}

/// Rows for docs/detections.md: when AGENTWATCH_DETECTIONS names a file, each
/// pack test appends what really happened (`make detections` turns the file
/// into the table). Appends are single O_APPEND writes, so parallel tests
/// never interleave lines.
enum Detections {
    static func record(fixture: String, behaviour: String, run: Pack.Run, rule: String?, bytes: Int?) {
        guard let path = ProcessInfo.processInfo.environment["AGENTWATCH_DETECTIONS"] else { return }
        let hit = rule.flatMap { run.fired($0).first }
        var row: [String: Any] = [
            "fixture": fixture, "behaviour": behaviour,
            "rule": hit?["rule"] as? String ?? "",
            "action": hit?["action"] as? String ?? "",
            "priority": hit?["priority"] as? String ?? "",
            "tags": (hit?["tags"] as? [String]) ?? [],
            "status": Int(run.status),
            "serious": run.serious.count,
            "others": Array(Set(run.rules).subtracting(rule.map { [$0] } ?? [])).sorted(),
        ]
        if let bytes { row["bytes"] = bytes }
        guard var data = try? JSONSerialization.data(withJSONObject: row, options: [.sortedKeys]) else { return }
        data.append(0x0A)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { return }
        _ = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}
