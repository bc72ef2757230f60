import Foundation
import Glibc

/// Runs the real agentwatch binary on real programs and reads back its trace.
enum Harness {
    static let repo: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var agentwatch: String {
        if let p = ProcessInfo.processInfo.environment["AGENTWATCH_BIN"] { return p }
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("agentwatch").path
        if FileManager.default.isExecutableFile(atPath: bin) { return bin }
        return repo + "/.build/debug/agentwatch"
    }

    static func fixture(_ name: String) -> String { repo + "/Fixtures/bin/" + name }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var events: [[String: Any]]
        var header: [String: Any]?
        var alerts: [[String: Any]] = []

        func syscalls(_ name: String) -> [[String: Any]] {
            events.filter { $0["ev"] as? String == "syscall" && $0["sc"] as? String == name }
        }
        func events(_ ev: String) -> [[String: Any]] { events.filter { $0["ev"] as? String == ev } }
    }

    static func tempDir() -> String {
        let dir = NSTemporaryDirectory() + "agentwatch-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// `agentwatch run --trace T <options> -- command`, killed after `timeout` seconds;
    /// `wrapper` (say `unshare …`) starts agentwatch itself.
    static func run(_ command: [String], options: [String] = [], trace: Bool = true, defaults: Bool = false,
                    policy: String? = nil, timeout: Double = 60, wrapper: [String] = [],
                    environment: [String: String]? = nil, onStart: ((Process) -> Void)? = nil) throws -> Result {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tracePath = dir + "/trace.jsonl"
        var args = ["run"]
        if trace { args += ["--trace", tracePath] }
        if !defaults { args.append("--no-defaults") }
        if let policy {
            let file = dir + "/policy.yaml"
            try policy.write(toFile: file, atomically: true, encoding: .utf8)
            args += ["--policy", file, "--alerts", dir + "/alerts.jsonl"]
        }
        args += options + ["--"] + command
        let (status, out, err) = try exec(wrapper.first ?? agentwatch, wrapper.dropFirst() + (wrapper.isEmpty ? [] : [agentwatch]) + args,
                                          timeout: timeout, environment: environment, onStart: onStart)
        var events: [[String: Any]] = []
        var header: [String: Any]?
        if trace, let text = try? String(contentsOfFile: tracePath, encoding: .utf8) {
            for line in text.split(separator: "\n") {
                guard let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
                if obj["agentwatch_trace"] != nil { header = obj } else { events.append(obj) }
            }
        }
        var alerts: [[String: Any]] = []
        if let text = try? String(contentsOfFile: dir + "/alerts.jsonl", encoding: .utf8) {
            for line in text.split(separator: "\n") {
                if let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] { alerts.append(obj) }
            }
        }
        return Result(status: status, stdout: out, stderr: err, events: events, header: header, alerts: alerts)
    }

    static func exec(_ path: String, _ args: [String], timeout: Double = 60, environment: [String: String]? = nil,
                     onStart: ((Process) -> Void)? = nil) throws -> (Int32, String, String) {
        let p = Process()
        // The test runner may leave signals ignored; agentwatch must start as from a shell.
        p.executableURL = URL(fileURLWithPath: fixture("sigdfl"))
        p.arguments = [path] + args
        if let environment { p.environment = environment }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        onStart?(p)
        // A watchdog: agentwatch's EXITKILL takes the traced tree down with it.
        let pid = p.processIdentifier
        let deadline = DispatchTime.now() + timeout
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: deadline, execute: watchdog)
        // Both pipes at once: a run that alerts hundreds of times fills stderr's
        // pipe while stdout is still open, and reading one after the other hangs.
        nonisolated(unsafe) var errData = Data()
        let errRead = DispatchWorkItem { errData = err.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(execute: errRead)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        errRead.wait()
        p.waitUntilExit()
        watchdog.cancel()
        let status = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
        return (status, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}

extension Dictionary where Key == String, Value == Any {
    func obj(_ k: String) -> [String: Any]? { self[k] as? [String: Any] }
    func arg(_ k: String) -> [String: Any]? { obj("args")?[k] as? [String: Any] }
    func argValue(_ k: String) -> Any? { obj("args")?[k] }
    func int(_ k: String) -> Int? { (self[k] as? NSNumber)?.intValue }
    func str(_ k: String) -> String? { self[k] as? String }
    /// The path an argument decodes to.
    func path(_ k: String) -> String? { arg(k)?["path"] as? String }
}
