import Testing
import Glibc
@testable import AgentWatchCore

// Real strace output: these run strace itself on small commands, with the
// option combinations incident responders use, and check the decoded values.

private let straceInstalled = access("/usr/bin/strace", X_OK) == 0 && access("/usr/bin/python3", X_OK) == 0

/// Runs `cmd` with /bin/sh; returns its exit status.
@discardableResult
func codecShell(_ cmd: String) -> Int32 {
    var pid: pid_t = 0
    let words: [String] = ["/bin/sh", "-c", cmd]
    var argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    guard posix_spawn(&pid, "/bin/sh", nil, nil, &argv, environ) == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return (status >> 8) & 0xff
}

private func writeFile(_ path: String, _ text: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    _ = text.withCString { write(fd, $0, strlen($0)) }
    close(fd)
}

/// A scratch directory per test.
func codecScratch(_ name: String) -> String {
    let dir = "/tmp/agentwatch-strace-\(getpid())-\(name)"
    codecShell("rm -rf '\(dir)' && mkdir -p '\(dir)'")
    return dir
}

/// A TCP listener on 127.0.0.1 that never accepts: connects complete in the backlog.
private struct StraceTestListener {
    let fd: Int32
    let port: UInt16

    init?() {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { return nil }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(s, sa, len) == 0 && listen(s, 16) == 0 && getsockname(s, sa, &len) == 0
            }
        }
        guard ok else { close(s); return nil }
        fd = s
        port = UInt16(bigEndian: addr.sin_port)
    }
}

private let payload: [UInt8] = Array(repeating: Array("hello".utf8) + [0, 0xFF, 10] + Array("\"world".utf8), count: 3).flatMap { $0 }

/// A python client: one thread, then a loopback connection that sends `payload`.
private func clientScript(_ dir: String, port: UInt16) -> String {
    let path = dir + "/client.py"
    writeFile(path, """
    import socket, threading
    t = threading.Thread(target=lambda: None); t.start(); t.join()
    s = socket.create_connection(("127.0.0.1", \(port)))
    s.sendall(b'hello\\x00\\xff\\n"world' * 3)
    s.close()
    """)
    return path
}

private func imported(_ path: String) throws -> (StraceImporter, [Event]) {
    let imp = try StraceImporter(path: path)
    return (imp, try imp.readAll())
}

private func checkClient(_ events: [Event], port: UInt16, script: String, dataPrefix: Int) {
    guard case .spawn(let root)? = events.first?.kind, let rootPid = events.first?.pid else { Issue.record("no root"); return }
    #expect(root.via == "root" && root.exe == "/usr/bin/python3" && sameArgv(root.argv, ["/usr/bin/python3", script]))
    let exec = events.first { if case .exec = $0.kind { return true } else { return false } }
    if case .exec(let x)? = exec?.kind { #expect(x.exe == "/usr/bin/python3" && sameArgv(x.argv, ["/usr/bin/python3", script])) }
    #expect(events.contains { if case .thread(let t) = $0.kind { return $0.pid == rootPid && t.creator == rootPid } else { return false } })

    let connect = events.first { $0.asSyscall?.name == "connect" && $0.asSyscall?.exit?.ret == 0 }?.asSyscall
    #expect(connect?.arg("addr") == .sockaddr(SockAddr(family: .inet, address: "127.0.0.1", port: port, raw: 2)))
    if case .fd(_, let info?)? = connect?.exit?.out.first?.value {
        #expect(info.kind == .ipv4 && info.remote == SockAddr(family: .inet, address: "127.0.0.1", port: port, raw: 2))
    } else { Issue.record("connect without fd info") }

    let send = events.first { $0.asSyscall?.name == "sendto" }?.asSyscall
    #expect(send?.arg("data") == .bytes(Array(payload.prefix(dataPrefix)), total: payload.count))
    if case .fd(_, let info?)? = send?.arg("fd") { #expect(info.isSocket && info.remote?.port == port) }
    else { Issue.record("sendto without fd info") }

    let exits = events.compactMap { e -> Exit? in if case .exit(let x) = e.kind, e.pid == rootPid, x.processEnded { return x } else { return nil } }
    #expect(exits == [Exit(code: 0, signal: nil, processEnded: true)])
}

@Test(.enabled(if: straceInstalled))
func straceLivePythonLoopbackWithYY() throws {
    guard let l = StraceTestListener() else { Issue.record("no listener"); return }
    defer { close(l.fd) }
    let dir = codecScratch("yy")
    defer { codecShell("rm -rf \(dir)") }
    let script = clientScript(dir, port: l.port)
    #expect(codecShell("strace -f -tt -yy -s 64 -o \(dir)/log /usr/bin/python3 \(script) >/dev/null 2>&1") == 0)
    let (imp, events) = try imported(dir + "/log")
    #expect(imp.warnings.isEmpty)
    try codecExpectDense(events)
    checkClient(events, port: l.port, script: script, dataPrefix: payload.count)
    // -yy names the socket fully, local address included.
    if case .fd(_, let info?)? = events.first(where: { $0.asSyscall?.name == "sendto" })?.asSyscall?.arg("fd") {
        #expect(info.local?.address == "127.0.0.1" && info.proto == "tcp")
    }
    // Paths from -yy results: the python binary's libraries open as absolute files.
    #expect(events.contains { if case .fd(_, let i?)? = $0.asSyscall?.exit?.out.first?.value { return i.name.hasPrefix("/usr/lib/") } else { return false } })
}

@Test(.enabled(if: straceInstalled))
func straceLivePythonTruncatedPayloadNoYY() throws {
    guard let l = StraceTestListener() else { Issue.record("no listener"); return }
    defer { close(l.fd) }
    let dir = codecScratch("s8")
    defer { codecShell("rm -rf \(dir)") }
    let script = clientScript(dir, port: l.port)
    #expect(codecShell("strace -f -s 8 -o \(dir)/log /usr/bin/python3 \(script) >/dev/null 2>&1") == 0)
    let (imp, events) = try imported(dir + "/log")
    #expect(imp.warnings.isEmpty)
    try codecExpectDense(events)
    // Without -yy the fd is known from socket() and connect() the importer saw.
    checkClient(events, port: l.port, script: script, dataPrefix: 8)
}

@Test(.enabled(if: straceInstalled))
func straceLivePythonEpochTimesAndDurations() throws {
    guard let l = StraceTestListener() else { Issue.record("no listener"); return }
    defer { close(l.fd) }
    let dir = codecScratch("ttt")
    defer { codecShell("rm -rf \(dir)") }
    let script = clientScript(dir, port: l.port)
    #expect(codecShell("strace -f -ttt -T -y -o \(dir)/log /usr/bin/python3 \(script) >/dev/null 2>&1") == 0)
    let (_, events) = try imported(dir + "/log")
    try codecExpectDense(events)
    checkClient(events, port: l.port, script: script, dataPrefix: 32)
    let now = UInt64(time(nil)) * 1_000_000_000
    #expect(events.allSatisfy { $0.wall > now - 600_000_000_000 && $0.wall <= now + 60_000_000_000 })
    #expect(events.first?.mono == 0 && (events.map(\.mono).max() ?? 0) > 0)
}

/// The shell run: a chdir, a child opening a relative path, a failing child, an exit code.
// ls's complaint goes to /dev/null: in a terminal capture it would land inside strace's lines.
private let shellCommand = "cd /etc && cat hostname >/dev/null; ls /nonexistent-agentwatch 2>/dev/null; exit 3"

/// strace cuts strings at -s bytes (32 by default): argv compares by prefix.
private func sameArgv(_ got: [String], _ want: [String]) -> Bool {
    got.count == want.count && zip(got, want).allSatisfy { g, w in w.hasPrefix(g) && (!g.isEmpty || w.isEmpty) }
}

private func checkShell(_ events: [Event], relativeOpen: Bool = true) {
    guard case .spawn(let root)? = events.first?.kind, let rootPid = events.first?.pid else { Issue.record("no root"); return }
    #expect(root.exe == "/bin/sh" && sameArgv(root.argv, ["/bin/sh", "-c", shellCommand]))
    var execs: [Int32: Exec] = [:]
    var spawns: [Int32: Spawn] = [:]
    var exits: [Int32: Exit] = [:]
    for e in events {
        switch e.kind {
        case .exec(let x): execs[e.pid] = x
        case .spawn(let s): spawns[e.pid] = s
        case .exit(let x) where x.processEnded: exits[e.pid] = x
        default: break
        }
    }
    let cat = execs.first { $0.value.argv == ["cat", "hostname"] }
    let ls = execs.first { sameArgv($0.value.argv, ["ls", "/nonexistent-agentwatch"]) }
    #expect(cat?.value.exe == "/usr/bin/cat" && cat?.value.cwd == "/etc")
    #expect(ls?.value.exe == "/usr/bin/ls")
    if let c = cat?.key { #expect(spawns[c]?.ppid == rootPid) }
    if let c = ls?.key { #expect(spawns[c]?.ppid == rootPid && exits[c]?.code == 2) }
    #expect(exits[rootPid]?.code == 3)
    if relativeOpen, let c = cat?.key {
        let open = events.first { $0.pid == c && $0.asSyscall?.name == "openat" && $0.asSyscall?.arg("filename").map {
            if case .path(_, let raw) = $0 { return raw == "hostname" } else { return false } } == true }
        #expect(open?.asSyscall?.arg("filename") == .path("/etc/hostname", raw: "hostname"))
        #expect(open?.asSyscall?.exit?.out.first?.value == .fd(3, FdInfo(kind: .file, name: "/etc/hostname")))
    }
}

@Test(.enabled(if: straceInstalled))
func straceLiveShellPlain() throws {
    let dir = codecScratch("sh")
    defer { codecShell("rm -rf \(dir)") }
    codecShell("strace -f -o \(dir)/log /bin/sh -c '\(shellCommand)' >/dev/null 2>&1")
    let (imp, events) = try imported(dir + "/log")
    #expect(imp.warnings.isEmpty)
    try codecExpectDense(events)
    checkShell(events)
}

@Test(.enabled(if: straceInstalled))
func straceLiveShellPerPidFilesWithTimes() throws {
    let dir = codecScratch("fftt")
    defer { codecShell("rm -rf \(dir)") }
    codecShell("strace -ff -tt -o \(dir)/tr /bin/sh -c '\(shellCommand)' >/dev/null 2>&1")
    let imp = try StraceImporter(perPidPrefix: dir + "/tr")
    let events = try imp.readAll()
    #expect(imp.warnings.isEmpty)
    try codecExpectDense(events)
    checkShell(events)
}

@Test(.enabled(if: straceInstalled))
func straceLiveShellPerPidFilesWithoutTimes() throws {
    let dir = codecScratch("ff")
    defer { codecShell("rm -rf \(dir)") }
    codecShell("strace -ff -o \(dir)/tr /bin/sh -c '\(shellCommand)' >/dev/null 2>&1")
    let imp = try StraceImporter(perPidPrefix: dir + "/tr")
    let events = try imp.readAll()
    try codecExpectDense(events)
    checkShell(events)
}

@Test(.enabled(if: straceInstalled))
func straceLiveShellTerminalCapture() throws {
    let dir = codecScratch("term")
    defer { codecShell("rm -rf \(dir)") }
    // strace -f without -o: "[pid N]" prefixes and its own notices on the same stream.
    codecShell("strace -f /bin/sh -c '\(shellCommand)' >/dev/null 2>\(dir)/log")
    let (imp, events) = try imported(dir + "/log")
    #expect(imp.warnings.isEmpty)
    try codecExpectDense(events)
    checkShell(events)
    let views = try StraceImporter(path: dir + "/log").engineOrder().readAll()
    #expect(views.count == events.count + events.filter { $0.asSyscall?.exitSeq != nil }.count)
}
