import Testing
import Glibc
@testable import AgentWatchCore

/// Throughput of TraceReader on typical lines. Runs only when asked
/// (AGENTWATCH_BENCH=1 swift test -c release --filter codecBench); prints, asserts nothing.
@Test(.enabled(if: getenv("AGENTWATCH_BENCH") != nil))
func codecBenchReader() throws {
    let n = Int(String(cString: getenv("AGENTWATCH_BENCH_EVENTS") ?? strdup("1000000"))) ?? 1_000_000
    let path = "/tmp/agentwatch-bench-\(n).jsonl"
    if access(path, R_OK) != 0 { try writeBenchTrace(path: path, n: n) }
    var st = stat()
    stat(path, &st)

    // CPU time of this thread: the machine may be shared, wall time would measure the neighbours.
    let t0 = cpuNow()
    let r = try TraceReader(path: path)
    var count = 0
    while try r.next() != nil { count += 1 }
    let secs = Double(cpuNow() - t0) / 1e9
    print("codecBench: \(count) events, \(st.st_size / count) bytes/line, \(String(Int(Double(count) / secs))) events/s of CPU, \(Int(Double(st.st_size) / secs / 1e6)) MB/s")

    let t2 = cpuNow()
    let o = try TraceReader(path: path).engineOrder()
    var ordered = 0
    while try o.next() != nil { ordered += 1 }
    let secs2 = Double(cpuNow() - t2) / 1e9
    print("codecBench engineOrder: \(ordered) views, \(Int(Double(ordered) / secs2)) views/s")
}

private func cpuNow() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// The bench input is kept in /tmp between runs (a profiler then sees only reading).
private func writeBenchTrace(path: String, n: Int) throws {
    let templates = typicalEvents()
    var j = JSONBuilder(capacity: 1 << 24)
    TraceEncoder.header(TraceHeader(agentwatchVersion: "bench", host: "h", command: ["x"], startWall: 0, tracerPid: 1), into: &j)
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var seq: UInt64 = 1
    for i in 0..<n {
        var e = templates[i % templates.count]
        e.seq = seq
        if case .syscall(var sc) = e.kind { sc.exitSeq = seq + 1; e.kind = .syscall(sc); seq += 1 }
        seq += 1
        TraceEncoder.event(e, into: &j)
        if j.bytes.count > 1 << 22 {
            _ = j.bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            j.bytes.removeAll(keepingCapacity: true)
        }
    }
    _ = j.bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

/// Lines shaped like a real trace: mostly openat/mmap/close/read, some socket traffic.
private func typicalEvents() -> [Event] {
    func sc(_ name: String, _ nr: Int32, _ args: [Arg], ret: Int64, out: [Arg] = []) -> Event {
        Event(seq: 0, mono: 4_468_359, wall: 1_795_881_050_616_364_573, pid: 7985, tid: 7985,
              kind: .syscall(Syscall(name: name, nr: nr, arch: .x86_64, args: args, exit: SyscallExit(ret: ret, out: out))))
    }
    let lib = FdInfo(kind: .file, name: "/usr/lib/x86_64-linux-gnu/libc.so.6")
    let tcp = FdInfo(kind: .ipv4, name: "127.0.0.1:46500->127.0.0.1:4444",
                     local: SockAddr(family: .inet, address: "127.0.0.1", port: 46500, raw: 2),
                     remote: SockAddr(family: .inet, address: "127.0.0.1", port: 4444, raw: 2), proto: "tcp")
    return [
        sc("openat", 257, [Arg("dirfd", .flags(UInt64(bitPattern: -100), names: ["AT_FDCWD"])),
                           Arg("filename", .path("/lib/x86_64-linux-gnu/libc.so.6", raw: "/lib/x86_64-linux-gnu/libc.so.6")),
                           Arg("flags", .flags(524288, names: ["O_RDONLY", "O_CLOEXEC"]))], ret: 3, out: [Arg("fd", .fd(3, lib))]),
        sc("mmap", 9, [Arg("addr", .hex(0)), Arg("length", .int(1_974_096)), Arg("prot", .flags(1, names: ["PROT_READ"])),
                       Arg("flags", .flags(2050, names: ["MAP_PRIVATE", "MAP_DENYWRITE"])), Arg("fd", .fd(3, lib)), Arg("offset", .hex(0))],
           ret: 139_634_298_720_256),
        sc("close", 3, [Arg("fd", .fd(3, lib))], ret: 0),
        sc("mprotect", 10, [Arg("addr", .hex(0x7eff24e30000)), Arg("length", .int(16384)), Arg("prot", .flags(1, names: ["PROT_READ"]))], ret: 0),
        sc("sendto", 44, [Arg("fd", .fd(3, tcp)), Arg("data", .bytes(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), total: 27)),
                          Arg("flags", .flags(0, names: []))], ret: 27),
        Event(seq: 0, mono: 1, wall: 2, pid: 7986, tid: 7986, kind: .exec(Exec(exe: "/usr/bin/ls", path: "/usr/bin/ls", argv: ["ls", "-la"], cwd: "/work", comm: "ls"))),
    ]
}
