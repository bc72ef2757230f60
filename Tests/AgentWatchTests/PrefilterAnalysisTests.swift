import Foundation
import Testing
@testable import AgentWatchCore

/// What the prefilter leaves out: opens of directories when no loaded rule could
/// match one, and syscalls whose rules only match calls made through another ABI.
@Suite struct PrefilterAnalysisTests {
    /// An engine on one rule r0, r1… per condition.
    func engine(_ conditions: [String]) -> PolicyEngine {
        let rules = conditions.enumerated().map { i, c in
            "- rule: r\(i)\n  desc: d\n  condition: \(c)\n  output: o\n  priority: INFO\n"
        }
        let set = PolicySet.load(yaml: rules.joined(separator: "\n"))
        #expect(set.errors.isEmpty, "\(set.errors)")
        return PolicyEngine(policies: set)
    }

    func matching(_ conditions: [String]) -> [String] { engine(conditions).rulesMatchingDirectoryOpens }

    @Test func conditionsThatCanMatchADirectoryOpen() {
        for c in ["evt.type = openat and fd.name startswith /home",
                  "evt.type in (open, openat) and fd.type = directory",
                  "evt.type = openat and fd.typechar in (f, d)",
                  "evt.type = open and not fd.type = file",
                  "fd.name = /etc/shadow",
                  "evt.type = openat and (fd.type != directory or fd.name = /root)",
                  "evt.type = openat and tolower(fd.type) != directory"] {
            #expect(matching([c]) == ["r0"], "\(c)")
        }
    }

    @Test func conditionsThatCannot() {
        for c in ["evt.type = openat and fd.type != directory and fd.name startswith /home",
                  "evt.type in (open, openat) and fd.typechar = f",
                  "evt.type = openat and not fd.type = directory",
                  "evt.type in (openat2, creat) and fd.name = /x",
                  "evt.type = openat and evt.arch = i386",
                  "evt.type = execve and proc.name = sh",
                  "(evt.type = openat and fd.type in (file, memfd)) or evt.type = connect"] {
            #expect(matching([c]).isEmpty, "\(c)")
        }
        #expect(matching(["evt.type = openat and fd.type != directory", "evt.type = openat"]) == ["r1"])
    }

    func native(_ conditions: [String]) -> Set<String> { engine(conditions).nativeSyscalls }

    @Test func syscallsOnlyForeignCallsCanMatchDoNotStopNatively() {
        #expect(native(["evt.type in (socket, connect) and evt.arch = i386"]).isEmpty)
        #expect(native(["evt.type in (socket, connect) and evt.arch != x86_64"]).isEmpty)
        #expect(native(["evt.type in (socket, connect) and evt.arch = i386", "evt.type = connect and fd.sport = 4444"])
                == ["connect"])
        #expect(native(["evt.type in (socket, connect) and (evt.arch = i386 or proc.name = nc)"]) == ["socket", "connect"])
        #expect(native(["(evt.type = socket and evt.arch = i386) or evt.type = bind"]) == ["bind"])
        #expect(native(["evt.type = socket and not evt.arch = i386"]) == ["socket"])
    }

    @Test func sequenceStepsCount() {
        func seq(_ first: String) -> PolicyEngine {
            let set = PolicySet.load(yaml: """
                - rule: s
                  desc: d
                  sequence:
                    by: proc.pid
                    steps:
                      - \(first)
                      - evt.type = connect
                  output: o
                  priority: INFO
                """)
            #expect(set.errors.isEmpty, "\(set.errors)")
            return PolicyEngine(policies: set)
        }
        #expect(seq("evt.type = openat and fd.name = /etc").rulesMatchingDirectoryOpens == ["s"])
        #expect(seq("evt.type = openat and fd.type = file and fd.name = /etc/passwd").rulesMatchingDirectoryOpens.isEmpty)
        #expect(seq("evt.type = socket and evt.arch = i386").nativeSyscalls == ["connect"])
        #expect(seq("evt.type = socket").nativeSyscalls == ["socket", "connect"])
    }

    func cloneStopFlags(_ conditions: [String]) -> UInt64? { engine(conditions).cloneStopFlags }

    @Test func cloneFlagsThatDecideTheRules() {
        let untraced: UInt64 = 0x80_0000
        #expect(cloneStopFlags(["evt.type in (clone, clone3) and evt.arg.flags contains CLONE_UNTRACED"]) == untraced)
        // CLONE_NEW is inside every namespace flag's name.
        let namespaces: UInt64 = 0x2_0000 | 0x200_0000 | 0x400_0000 | 0x800_0000 | 0x1000_0000 | 0x2000_0000 | 0x4000_0000 | 0x80
        #expect(cloneStopFlags(["evt.type = clone and evt.arg.flags contains CLONE_NEW and proc.name = sh"]) == namespaces)
        #expect(cloneStopFlags(["evt.type = clone and evt.arg.flags contains CLONE_UNTRACED",
                                "evt.type = clone and (evt.arg.flags contains CLONE_NEWUSER or evt.arg.flags contains CLONE_NEWNET)"])
                == untraced | 0x1000_0000 | 0x4000_0000)
        // Another condition beside the flag does not matter: without the flag the rule cannot match.
        #expect(cloneStopFlags(["evt.type = clone and evt.res > 0 and evt.arg.flags contains CLONE_VM"]) == 0x100)
        // Rules about other syscalls leave clone alone.
        #expect(cloneStopFlags(["evt.type = openat and fd.name = /x"]) == 0)
        for c in ["evt.type = clone and proc.name = sh",
                  "evt.type = clone and not evt.arg.flags contains CLONE_VM",
                  "evt.type = clone and evt.arg.flags icontains clone_untraced",
                  "evt.type = clone and evt.arg.flags contains SIGCHLD",
                  "evt.type = clone and evt.arg.flags contains CLONE_VM|CLONE_VFORK",
                  "evt.type = clone and evt.arg[0] contains CLONE_UNTRACED",
                  "evt.type = clone"] {
            #expect(cloneStopFlags([c]) == nil, "\(c)")
        }
        let pack = PolicyEngine(policies: PolicySet.load(paths: PolicyFiles.expand(Harness.repo + "/Policies")))
        #expect(pack.cloneStopFlags == untraced)
    }

    /// Under the pack a fork or vfork runs without a clone stop; CLONE_UNTRACED still stops and is refused.
    @Test func liveClonesStopOnlyWhenTheirFlagsMatter() throws {
        let r = try Harness.run(["/bin/sh", "-c", "/bin/true; " + Harness.fixture("clone_untraced")], defaults: true)
        #expect(r.events("spawn").count >= 3)
        let clones = r.syscalls("clone")
        #expect(!clones.isEmpty)
        #expect(clones.allSatisfy { ($0.arg("flags")?["flags"] as? String ?? "").contains("CLONE_UNTRACED") },
                "\(clones.map { $0.arg("flags") ?? [:] })")
        #expect(r.stdout.contains("clone=-1"), "\(r.stdout)")
    }

    @Test func thePackAndFalcosRulesLeaveDirectoryOpensAlone() {
        let pack = PolicyEngine(policies: PolicySet.load(paths: PolicyFiles.expand(Harness.repo + "/Policies")))
        #expect(pack.rulesMatchingDirectoryOpens.isEmpty)
        // Only the pack's 32-bit rule names socket: natively it needs no stop.
        #expect(pack.tracedSyscalls.contains("socket") && !pack.nativeSyscalls.contains("socket"))
        #expect(pack.nativeSyscalls.isSuperset(of: ["connect", "execve", "openat", "write", "dup2", "listen"]))
        if let falco = FalcoCorpus.path("falco_rules.yaml") {
            #expect(PolicyEngine(policies: PolicySet.load(paths: [falco])).rulesMatchingDirectoryOpens.isEmpty)
        }
    }

    /// The program lists a directory and reads a file: under the pack only the file
    /// open stops; a rule about directories brings the directory opens back.
    @Test func liveDirectoryOpensSkippedUnlessARuleWantsThem() throws {
        let box = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: box) }
        try FileManager.default.createDirectory(atPath: box + "/listed", withIntermediateDirectories: true)
        try "x".write(toFile: box + "/listed/file.txt", atomically: true, encoding: .utf8)
        let script = "import os, sys, socket; socket.socket().close(); d = sys.argv[1]; print(os.listdir(d)); print(open(d + '/file.txt').read())"
        let cmd = ["/usr/bin/python3", "-c", script, box + "/listed"]
        func opened(_ r: Harness.Result) -> [String] {
            r.syscalls("openat").compactMap { $0.path("filename") ?? $0.path("pathname") }.filter { $0.hasPrefix(box) }
        }
        let pack = try Harness.run(cmd, defaults: true)
        #expect(pack.stdout == "['file.txt']\nx\n")
        #expect(opened(pack) == [box + "/listed/file.txt"], "\(opened(pack))")

        let dirRule = """
            - rule: Directory listed
              desc: a directory is opened
              condition: evt.type = openat and fd.type = directory and fd.name endswith /listed
              output: "listed %fd.name"
              priority: NOTICE
              tags: [test]
            """
        let withRule = try Harness.run(cmd, defaults: true, policy: dirRule)
        #expect(opened(withRule) == [box + "/listed", box + "/listed/file.txt"], "\(opened(withRule))")
        #expect(withRule.alerts.first?["output"] as? String == "listed \(box)/listed")

        #expect(pack.syscalls("socket").isEmpty, "no pack rule matches a native socket()")

        let asked = try Harness.run(cmd, options: ["--syscalls", "openat"], defaults: true)
        #expect(opened(asked) == [box + "/listed", box + "/listed/file.txt"])
    }

    func writeRules(_ conditions: [String]) -> [String] { engine(conditions).rulesMatchingNonSocketWrites }

    /// Writes to stdin, stdout and stderr run unstopped only while no rule can
    /// match a write that sends nothing on a socket.
    @Test func conditionsThatCanMatchAWriteToAFile() {
        for c in ["evt.type = write and fd.name = /tmp/log",
                  "evt.type in (write, writev) and fd.type = file",
                  "evt.type = writev and not evt.buffer contains stratum",
                  "evt.type = write and proc.name = xmrig",
                  "evt.type = write and (evt.buffer contains x or fd.num = 1)",
                  "evt.type = write and tolower(evt.buffer) contains x",
                  "evt.type = write and fd.typechar != 4",
                  "evt.type = write and fd.l4proto = unix-stream",
                  "evt.type = write and fd.sockfamily = unix"] {
            #expect(writeRules([c]) == ["r0"], "\(c)")
        }
    }

    @Test func conditionsThatCannotMatchAWriteToAFile() {
        for c in ["evt.type in (sendto, write, writev) and evt.buffer contains mining.subscribe",
                  "evt.type = write and fd.dns.query contains pool",
                  "evt.type in (connect, write) and (fd.sip.name endswith .ngrok.com or fd.sni = x)",
                  "evt.type = write and fd.sport = 3333",
                  "evt.type = write and fd.sip = 10.0.0.1 and proc.name = sh",
                  "evt.type = write and evt.arch = i386",
                  "evt.type = openat and fd.name = /x"] {
            #expect(writeRules([c]).isEmpty, "\(c)")
        }
    }

    /// The analysis takes these fields as absent on a write whose bytes are not
    /// read (to a file, or on a unix socket that stays in the tree): each must be.
    @Test func socketOnlyFieldsAreAbsentOnAWriteToAFile() throws {
        let table = ProcessTable()
        table.apply(Event(seq: 1, mono: 1, wall: 1, pid: 50, tid: 50, kind: .spawn(Spawn(
            ppid: 1, via: "root", exe: "/bin/sh", argv: ["sh"], cwd: "/", uid: 0, comm: "sh", facts: ProcFacts(sid: 50)))))
        let unix = SockAddr(family: .unix, address: "", raw: 1)
        let inside = FdInfo(kind: .unix, name: "socket:[77]", local: unix, remote: unix, proto: "unix-stream")
        for (name, info) in [("write", FdInfo(kind: .file, name: "/tmp/out")), ("writev", FdInfo(kind: .pipe, name: "pipe:[5]")),
                             ("write", inside), ("writev", inside)] {
            let sc = Syscall(name: name, nr: name == "write" ? 1 : 20, arch: .x86_64,
                             args: [Arg("fd", .fd(1, info)), Arg("count", .int(5))])
            let ev = Event(seq: 2, mono: 2, wall: 2, pid: 50, tid: 50, kind: .syscall(sc))
            let c = EvalContext(event: ev, processes: table, phase: .entry, syscall: sc, name: name)
            for field in PrefilterAnalysis.socketOnlyFields {
                let spec = try #require(FieldTable.byName[field], "\(field)")
                #expect(spec.extract(c, nil) == nil, "\(field) on \(name) to \(info.kind)")
            }
        }
    }

    /// The pack's stratum, pool-lookup and tunnel rules read only what a socket carries.
    @Test func thePackLetsStdioWritesRun() {
        let set = PolicySet.load(paths: [Harness.repo + "/Policies"])
        #expect(PolicyEngine(policies: set).rulesMatchingNonSocketWrites.isEmpty)
    }
}
