import Testing
@testable import AgentWatchCore

private func call(_ line: String) throws -> Syscall? {
    let events = try StraceImporter(string: "1 " + line + "\n").readAll()
    return events.compactMap(\.asSyscall).last
}

@Test func straceStringEscapes() throws {
    var p = StraceValueParser(Array(#""a\tb\n\r\v\f\\\"\0\1\177\3770\x41\xff"..."#.utf8))
    #expect(try p.value() == .string([97, 9, 98, 10, 13, 11, 12, 92, 34, 0, 1, 127, 255, 48, 0x41, 0xFF], truncated: true))
    #expect(StraceValueParser.unescape(#"/tmp/we\74i\76rd\n"#) == Array("/tmp/we<i>rd\n".utf8))
}

@Test func straceResults() throws {
    #expect(try call("openat(AT_FDCWD, \"/x\", O_RDONLY) = -1 ENOENT (No such file or directory)")?.exit?.ret == -2)
    #expect(try call("mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000001000")?.exit?.ret == 0x7f0000001000)
    let restart = try call("read(0, 0x7ffd0, 10) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)")
    #expect(restart?.exit?.ret == -512)
    #expect(try call("exit_group(0) = ?")?.exit == nil)
    #expect(try call("fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC) <0.000012>")?.exit?.ret == 1)
    let dup = try call("dup2(3</etc/passwd>, 1</dev/pts/0<char 136:0>>) = 1</etc/passwd>")
    #expect(dup?.arg("newfd") == .fd(1, FdInfo(kind: .device, name: "/dev/pts/0")))
    #expect(dup?.exit?.out == [Arg("newfd", .fd(1, FdInfo(kind: .file, name: "/etc/passwd")))])
}

@Test func straceSocketAnnotations() {
    let tcp = StraceAnnotation.fdInfo("TCP:[127.0.0.1:5555->127.0.0.1:4444]")
    #expect(tcp == FdInfo(kind: .ipv4, name: "127.0.0.1:5555->127.0.0.1:4444",
                          local: SockAddr(family: .inet, address: "127.0.0.1", port: 5555, raw: 2),
                          remote: SockAddr(family: .inet, address: "127.0.0.1", port: 4444, raw: 2), proto: "tcp"))
    let v6 = StraceAnnotation.fdInfo("UDPv6:[[::1]:53]")
    #expect(v6.kind == .ipv6 && v6.proto == "udp" && v6.local?.address == "::1" && v6.remote == nil && v6.name == "[::1]:53")
    let fresh = StraceAnnotation.fdInfo("TCP:[68641]")
    #expect(fresh.kind == .ipv4 && fresh.name == "0.0.0.0:0")
    let unix = StraceAnnotation.fdInfo(#"UNIX-STREAM:[79852,"/tmp/s.sock"]"#)
    #expect(unix.kind == .unix && unix.name == "/tmp/s.sock" && unix.proto == "unix-stream")
    #expect(StraceAnnotation.fdInfo("pipe:[79862]") == FdInfo(kind: .pipe, name: "pipe:[79862]"))
    #expect(StraceAnnotation.fdInfo("anon_inode:[eventpoll]").kind == .eventpoll)
    #expect(StraceAnnotation.fdInfo("/memfd:x").kind == .memfd)
}

@Test func straceSockaddrs() throws {
    let unix = try call(#"connect(3, {sa_family=AF_UNIX, sun_path=@"abs\0x"}, 10) = 0"#)
    #expect(unix?.arg("addr") == .sockaddr(SockAddr(family: .unix, address: "@abs\u{0}x", raw: 1)))
    let path = try call(#"bind(3, {sa_family=AF_UNIX, sun_path="/run/a.sock"}, 14) = 0"#)
    #expect(path?.arg("addr") == .sockaddr(SockAddr(family: .unix, address: "/run/a.sock", raw: 1)))
    #expect(path?.exit?.out.first?.value == .fd(3, FdInfo(kind: .unix, name: "/run/a.sock", local: SockAddr(family: .unix, address: "/run/a.sock", raw: 1))))
    let nl = try call("bind(3, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 0")
    #expect(nl?.arg("addr") == .sockaddr(SockAddr(family: .netlink, address: "pid=0,groups=0", raw: 16)))
    let msg = try call(#"sendmsg(5, {msg_name={sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.1")}, msg_namelen=16, msg_iov=[{iov_base="ab", iov_len=2}, {iov_base="cd", iov_len=5}], msg_iovlen=2, msg_controllen=0, msg_flags=0}, MSG_DONTWAIT) = 7"#)
    #expect(msg?.args.map(\.name) == ["fd", "addr", "data", "flags"])
    #expect(msg?.arg("data") == .bytes(Array("abcd".utf8), total: 7))
    #expect(msg?.arg("addr") == .sockaddr(SockAddr(family: .inet, address: "10.0.0.1", port: 53, raw: 2)))
}

@Test func straceRecvmsgLikeTheLiveDecoder() throws {
    let r = try call(#"recvmsg(3, {msg_name={sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}, msg_namelen=128 => 16, msg_iov=[{iov_base="\x12\x34\x81\x80", iov_len=512}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 4"#)
    #expect(r?.args.map(\.name) == ["fd", "flags"])
    #expect(r?.exit?.out == [Arg("addr", .sockaddr(SockAddr(family: .inet, address: "127.0.0.53", port: 53, raw: 2))),
                             Arg("data", .bytes([0x12, 0x34, 0x81, 0x80], total: 4))])
}

@Test func straceGenericAndFlagCalls() throws {
    let generic = try call(#"newfstatat(AT_FDCWD, "/etc", {st_mode=S_IFDIR|0755, st_size=4096, ...}, 0) = 0"#)
    #expect(generic?.args.map(\.name) == ["arg0", "arg1", "arg2", "arg3"])
    #expect(generic?.arg("arg2") == .str("{st_mode=S_IFDIR|0755, st_size=4096, ...}", truncated: false))
    #expect(generic?.nr == 262)
    // An unknown flag name is kept after the known ones.
    let open = try call(#"openat(AT_FDCWD, "/x", O_RDONLY|O_CLOEXEC|O_FUTURE) = 3"#)
    #expect(open?.arg("flags") == .flags(0o2000000, names: ["O_RDONLY", "O_CLOEXEC", "O_FUTURE"]))
    let prctl = try call(#"prctl(PR_SET_NAME, "evil") = 0"#)
    #expect(prctl?.args == [Arg("option", .flags(15, names: ["PR_SET_NAME"])), Arg("arg2", .str("evil", truncated: false))])
    let memfd = try call(#"memfd_create("x", MFD_CLOEXEC) = 4"#)
    #expect(memfd?.exit?.out.first?.value == .fd(4, FdInfo(kind: .memfd, name: "/memfd:x (deleted)")))
    let ptrace = try call("ptrace(PTRACE_ATTACH, 1234) = 0")
    #expect(ptrace?.args.map(\.value) == [.flags(16, names: ["PTRACE_ATTACH"]), .int(1234), .hex(0), .hex(0)])
    let mmap = try call("mmap(NULL, 4096, PROT_READ|PROT_EXEC, MAP_PRIVATE, 3, 0) = 0x7f0000000000")
    #expect(mmap?.arg("prot") == .flags(5, names: ["PROT_READ", "PROT_EXEC"]))
    let argv = try call(#"execve("/bin/x", ["x", "a very long argume"...], 0x7ffd /* 3 vars */) = 0"#)
    #expect(argv?.arg("argv") == .strings(["x", "a very long argume"], truncated: true))
}
