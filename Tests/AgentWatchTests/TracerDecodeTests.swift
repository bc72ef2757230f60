import Foundation
import Glibc
import Testing

/// Each decoder family on a real program, asserting what was decoded.
@Suite struct TracerDecodeTests {
    @Test func threadsAreFollowed() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Harness.run([Harness.fixture("threads"), dir])
        #expect(r.status == 0)
        let threads = r.events("thread")
        #expect(threads.count == 4)
        let root = try #require(r.events("spawn").first?.int("pid"))
        let opens = r.syscalls("openat").filter { ($0.path("filename") ?? "").hasPrefix(dir + "/thread-") }
        #expect(opens.count == 4)
        #expect(Set(opens.compactMap { $0.int("tid") }).count == 4)
        #expect(opens.allSatisfy { $0.int("pid") == root && $0.int("tid") != root })
        #expect(r.syscalls("clone3").count + r.syscalls("clone").count >= 4)
    }

    /// The ptrace event calls a CLONE_THREAD clone with SIGCHLD a fork: it is still a thread.
    @Test func threadReportedAsForkIsAThread() throws {
        let r = try Harness.run([Harness.fixture("clone_shapes"), "thread"])
        #expect(r.status == 0)
        let words = r.stdout.split(separator: " ").map(String.init)
        let tid = try #require(Int(words.count > 1 ? words[1] : ""))
        let root = try #require(r.events("spawn").first?.int("pid"))
        #expect(r.events("thread").contains { $0.int("tid") == tid && $0.int("pid") == root })
        #expect(!r.events("spawn").contains { $0.int("pid") == tid })
    }

    /// A CLONE_PARENT child belongs to its creator's parent.
    @Test func cloneParentChildGetsTheGrandparent() throws {
        let r = try Harness.run(["/bin/sh", "-c", Harness.fixture("clone_shapes") + " parent; true"])
        #expect(r.status == 0)
        let words = r.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        let child = try #require(Int(words.count > 1 ? words[1] : ""))
        let shell = try #require(Int(words.count > 3 ? words[3] : ""))
        let spawn = try #require(r.events("spawn").first { $0.int("pid") == child })
        #expect(spawn.int("ppid") == shell)
        #expect(spawn.str("via") == "fork")
    }

    /// Without a trace a fork's parent, group and session come from the
    /// creator's registers, getpgid and getsid instead of /proc/PID/stat: each
    /// must still be what the process itself reports, across setsid, setpgid
    /// and CLONE_PARENT. In a pid namespace of its own the session's leader
    /// (outside it) has no number there: the session is 0, as in a container or
    /// a CI runner whose session is the init's.
    @Test func forkedFactsWithoutProcStat() throws { try forkedFacts(ownPidNamespace: false) }

    @Test(.enabled(if: Pack.canPidNamespace, "needs unshare -rpf --mount-proc (user, pid and mount namespaces)"))
    func forkedFactsInAPidNamespaceWithoutItsSessionLeader() throws { try forkedFacts(ownPidNamespace: true) }

    func forkedFacts(ownPidNamespace: Bool) throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let policy = """
        - rule: Marker opened
          desc: d
          condition: evt.type in (open, openat) and fd.directory = \(dir)
          output: "%fd.filename pid=%proc.pid ppid=%proc.ppid sid=%proc.sid pgid=%proc.pgid"
          priority: WARNING
        """
        let script = """
        import os, sys, time
        d = sys.argv[1]
        def report(tag):
            open(d + "/" + tag, "w").close()
            print(tag, "pid=%d ppid=%d sid=%d pgid=%d" % (os.getpid(), os.getppid(), os.getsid(0), os.getpgid(0)), flush=True)
        def child(body):
            pid = os.fork()
            if pid == 0:
                body(); os._exit(0)
            return pid
        def forked():
            report("forked")
        def session():
            os.setsid()
            os.waitpid(child(lambda: report("in-session")), 0)
        def group():
            os.setpgid(0, 0)
            os.waitpid(child(lambda: report("in-group")), 0)
        for body in (forked, session, group):
            os.waitpid(child(body), 0)
        """
        let fixture = Harness.fixture("clone_shapes")
        let r = try Harness.run(["/bin/sh", "-c", "/usr/bin/python3 -c '\(script)' \(dir) && \(fixture) parent \(dir)/cloned"],
                                trace: false, policy: policy,
                                wrapper: ownPidNamespace ? ["/usr/bin/unshare", "-rpf", "--mount-proc"] : [])
        #expect(r.status == 0, "\(r.stderr)")
        var truth: [String: String] = [:]
        for line in r.stdout.split(separator: "\n") {
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            if words.count == 2, words[1].hasPrefix("pid=") { truth[words[0]] = words[1] }
            // clone_shapes: "child C of P sid S pgid G", P being C's parent too.
            let w = line.split(separator: " ")
            if w.count == 8, w[0] == "child" {
                truth["cloned"] = "pid=\(w[1]) ppid=\(w[3]) sid=\(w[5]) pgid=\(w[7])"
            }
        }
        #expect(truth.count == 4, "\(r.stdout)")
        if ownPidNamespace { #expect(truth["forked"]?.contains(" sid=0 ") == true, "\(truth)") }
        let seen = Dictionary(r.alerts.compactMap { a -> (String, String)? in
            let words = (a["output"] as? String ?? "").split(separator: " ", maxSplits: 1).map(String.init)
            return words.count == 2 ? (words[0], words[1]) : nil
        }, uniquingKeysWith: { first, _ in first })
        for (tag, facts) in truth {
            #expect(seen[tag] == facts, "\(tag)")
        }
    }

    /// Without a trace only the facts some rule reads are gathered: a rule on
    /// user.uid must still see the uid a child was forked with after setuid.
    @Test func uidRuleSeesTheForkedChildsOwnUid() throws {
        guard getuid() == 0 else { return }  // setuid needs root
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let marker = dir + "/marker"
        let policy = """
        - rule: Opened as nobody
          desc: d
          condition: evt.type in (open, openat) and fd.name = \(marker) and user.uid = 65534
          output: uid=%user.uid
          priority: WARNING
        """
        let r = try Harness.run([Harness.fixture("clone_shapes"), "setuid", "65534", marker], trace: false, policy: policy)
        #expect(r.status == 0)
        #expect(r.alerts.count == 1, "\(r.stderr)")
    }

    /// Relative paths resolve against the directory the task is in at that
    /// moment, though the tracer keeps working directories between stops.
    @Test(arguments: [("threads", true), ("clonefs", true), ("unshare", false)])
    func relativePathsFollowSharedWorkingDirectories(mode: String, moved: Bool) throws {
        let box = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: box) }
        for d in ["start", "dir"] { try FileManager.default.createDirectory(atPath: box + "/" + d, withIntermediateDirectories: true) }
        let r = try Harness.run(["/bin/sh", "-c", "cd \(box)/start && exec \(Harness.fixture("cwd_shapes")) \(mode) \(box)/dir"])
        #expect(r.status == 0)
        #expect(r.stdout == box + (moved ? "/dir\n" : "/start\n"))
        let opened = r.syscalls("openat").compactMap { $0.path("filename") }.filter { $0.hasPrefix(box) }
        #expect(opened == [box + "/start/primer", box + (moved ? "/dir/after" : "/start/after")], "\(opened)")
    }

    @Test func vforkThenExec() throws {
        let r = try Harness.run([Harness.fixture("vfork_exec")])
        #expect(r.stdout == "vforked\n")
        let child = try #require(r.events("spawn").first { $0.str("via") == "vfork" })
        let exec = try #require(r.events("exec").first { $0.int("pid") == child.int("pid") })
        #expect(exec.str("exe") == "/usr/bin/echo")
        #expect(exec["argv"] as? [String] == ["echo", "vforked"])
        #expect(r.syscalls("vfork").first?.int("ret") == child.int("pid"))
    }

    /// The exec event's argv is read from the new image's memory (where
    /// /proc/PID/cmdline reads it): empty arguments, spaces and UTF-8 come
    /// through as the program receives them.
    @Test func execArgvComesWhole() throws {
        let r = try Harness.run(["/bin/sh", "-c", "exec /usr/bin/printf '%s|' '' 'a b' 'é' x"])
        #expect(r.stdout == "|a b|é|x|")
        let exec = try #require(r.events("exec").last)
        #expect(exec["argv"] as? [String] == ["/usr/bin/printf", "%s|", "", "a b", "é", "x"])
        #expect(exec.str("comm") == "printf")
    }

    @Test func execFromANonLeaderThread() throws {
        let r = try Harness.run([Harness.fixture("exec_thread")])
        #expect(r.stdout == "exec-from-thread\n")
        #expect(r.status == 0)
        let exec = try #require(r.events("exec").last)
        let pid = try #require(exec.int("pid"))
        let former = try #require(exec.int("former_tid"))
        #expect(former != pid)
        #expect(r.events("thread").contains { $0.int("tid") == former })
        #expect(exec.str("exe") == "/usr/bin/echo")
        #expect(exec["argv"] as? [String] == ["echo", "exec-from-thread"])
    }

    @Test func socketDuplicatedOntoStdio() throws {
        let r = try Harness.run([Harness.fixture("dup2_stdio")])
        #expect(r.status == 0)
        let connect = try #require(r.syscalls("connect").first)
        #expect(connect.arg("addr")?["addr"] as? String == "127.0.0.1")
        let ontoStdio = (r.syscalls("dup2") + r.syscalls("dup3")).filter {
            $0.arg("oldfd")?["type"] as? String == "ipv4" && (($0.arg("newfd")?["fd"] as? Int) ?? 9) <= 2
        }
        #expect(Set(ontoStdio.compactMap { $0.arg("newfd")?["fd"] as? Int }) == [0, 1, 2])
        let sock = try #require(ontoStdio.first?.arg("oldfd"))
        #expect(sock["proto"] as? String == "tcp")
        #expect((sock["remote"] as? [String: Any])?["addr"] as? String == "127.0.0.1")
        #expect(r.syscalls("accept").count == 1)
    }

    @Test func udpSendsWithoutConnect() throws {
        let r = try Harness.run([Harness.fixture("udp_send")])
        #expect(r.status == 0)
        func data(_ e: [String: Any]) -> String? { e.arg("data")?["data"] as? String }
        let sendto = r.syscalls("sendto")
        #expect(sendto.contains { data($0) == "hello-sendto" && $0.arg("addr")?["addr"] as? String == "127.0.0.1" })
        #expect(sendto.contains { data($0) == "hello-v6" && $0.arg("addr")?["addr"] as? String == "::1" })
        let msg = try #require(r.syscalls("sendmsg").first)
        #expect(data(msg) == "hello-sendmsg")
        #expect(msg.arg("addr")?["family"] as? String == "inet")
        let mm = try #require(r.syscalls("sendmmsg").first)
        #expect(data(mm) == "mmsg-one")
        #expect((mm.arg("addrs")?["list"] as? [Any])?.count == 2)
    }

    @Test func unixSocketsPathAndAbstract() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Harness.run([Harness.fixture("unix_sockets"), dir])
        #expect(r.status == 0)
        let addrs = r.syscalls("connect").compactMap { $0.arg("addr")?["addr"] as? String }
        #expect(addrs.contains(dir + "/agentwatch.sock"))
        #expect(addrs.contains("@agentwatch-abstract"))
        // The listener is the writer itself: the bytes stay in the tree and are not read
        // (TreeSockets; a listener outside the tree: StdioGuardTests.stratumThroughAUnixProxy).
        let writes = r.syscalls("write").filter { $0.arg("fd")?["type"] as? String == "unix" }
        #expect(writes.count == 2)
        #expect(writes.allSatisfy { $0.arg("data") == nil })
    }

    @Test func fileLessExecFromMemfd() throws {
        let r = try Harness.run([Harness.fixture("memfd_exec")])
        #expect(r.stdout == "from-memfd\n")
        let memfd = try #require(r.syscalls("memfd_create").first)
        #expect(memfd.argValue("name") as? String == "payload")
        let at = try #require(r.syscalls("execveat").first)
        #expect(at.arg("dirfd")?["type"] as? String == "memfd")
        #expect(at.arg("flags")?["flags"] as? String == "AT_EMPTY_PATH")
        let exec = try #require(r.events("exec").last)
        #expect((exec.str("exe") ?? "").hasPrefix("/memfd:payload"))
    }

    @Test func i386SyscallsFromA64BitProcess() throws {
        let r = try Harness.run([Harness.fixture("int80"), "9"])
        #expect(r.status == 0)
        let compat = r.events.filter { $0.str("arch") == "i386" }
        let open = try #require(compat.first { $0.str("sc") == "open" })
        #expect(open.path("filename") == "/etc/hostname")
        #expect(compat.contains { $0.str("sc") == "socket" && $0.arg("domain")?["flags"] as? String == "AF_INET" })
        let connect = try #require(compat.first { $0.str("sc") == "connect" })
        #expect(connect.arg("addr")?["addr"] as? String == "127.0.0.1")
        #expect(connect.arg("addr")?["port"] as? Int == 9)
        #expect(compat.contains { $0.str("sc") == "write" })
    }

    @Test func cloneUntracedNeverMakesAnUntracedChild() throws {
        let r = try Harness.run([Harness.fixture("clone_untraced")])
        #expect(r.stdout.contains("clone=-1 errno=Operation not permitted"))
        #expect(r.stdout.contains("clone3=-1 errno=Operation not permitted"))
        #expect(r.stdout.contains("plain clone3 child exit=4"))
        let denied = r.events.filter { $0["denied"] as? Bool == true }
        #expect(Set(denied.compactMap { $0.str("sc") }) == ["clone", "clone3"])
        #expect(denied.allSatisfy { $0.str("errno") == "EPERM" })
    }

    @Test func fileOperationsResolvePaths() throws {
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let real = FileManager.default.fileExists(atPath: dir) ? (try? FileManager.default.destinationOfSymbolicLink(atPath: dir)) ?? dir : dir
        let r = try Harness.run([Harness.fixture("fileops"), real])
        #expect(r.status == 0)
        let sub = real + "/sub"
        #expect(r.syscalls("mkdir").first?.path("pathname") == sub)
        #expect(r.syscalls("chdir").first?.path("path") == sub)
        #expect(r.syscalls("openat").contains { $0.path("filename") == sub + "/rel.txt" })
        #expect(r.syscalls("chmod").first?.path("pathname") == sub + "/rel.txt")
        #expect(r.syscalls("symlink").first?.path("linkpath") == sub + "/link.txt")
        // glibc turns renameat2 without flags into renameat.
        let ren2 = try #require((r.syscalls("renameat2") + r.syscalls("renameat")).first)
        #expect(ren2.path("oldpath") == sub + "/hard.txt")
        #expect(ren2.path("newpath") == sub + "/moved.txt")
        let ren = try #require(r.syscalls("rename").first)
        #expect(ren.path("oldpath") == sub + "/moved.txt")
        #expect(r.syscalls("unlinkat").first?.arg("flags")?["flags"] as? String == "AT_REMOVEDIR")
        #expect(r.syscalls("unlink").count == 3)
        #expect(r.syscalls("fchmodat").first?.arg("mode")?["flags"] as? String == "0600")
    }

    @Test func prefilterStopsOnlyTheAskedSyscalls() throws {
        let r = try Harness.run(["/bin/sh", "-c", "cat /etc/hostname >/dev/null"], options: ["--syscalls", "openat"])
        let names = Set(r.events("syscall").compactMap { $0.str("sc") })
        #expect(names.contains("openat"))
        #expect(!names.contains("close"))
        #expect(!names.contains("mmap"))
    }

    @Test func allSyscallsSeesEverything() throws {
        let r = try Harness.run(["/bin/true"], options: ["--all-syscalls"])
        let names = Set(r.events("syscall").compactMap { $0.str("sc") })
        #expect(names.isSuperset(of: ["brk", "openat", "mmap", "exit_group", "execve"]))
    }

    @Test func traceHeaderAndPrint() throws {
        let r = try Harness.run(["/bin/sh", "-c", "cat /etc/hostname"], options: ["--print"])
        let header = try #require(r.header)
        #expect(header["agentwatch_trace"] as? Int == 1)
        #expect(header["command"] as? [String] == ["/bin/sh", "-c", "cat /etc/hostname"])
        #expect(r.stderr.contains("openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY"))
        let seqs = r.events.compactMap { $0.int("seq") }
        #expect(Set(seqs).count == seqs.count)
    }
}

@Suite struct TracerFailClosedTests {
    @Test func unreadablePointersAreMarked() throws {
        let r = try Harness.run([Harness.fixture("bad_pointers")])
        #expect(r.status == 0)
        let open = try #require(r.syscalls("openat").last)
        #expect(open["unreadable"] as? Bool == true)
        #expect(open.arg("filename")?["unreadable"] as? String == "0x8")
        #expect(open.str("errno") == "EFAULT")
        let connect = try #require(r.syscalls("connect").first)
        #expect(connect["unreadable"] as? Bool == true)
        let exec = try #require(r.syscalls("execve").last)
        #expect(exec["unreadable"] as? Bool == true)
    }
}

@Suite struct TraceeMemoryTests {
    @Test func stringEndingAtAnUnmappedPage() throws {
        let r = try Harness.run([Harness.fixture("page_edge")], options: ["--syscalls", "openat"])
        #expect(r.status == 0)
        let open = try #require(r.syscalls("openat").last)
        #expect(open.path("filename") == "/etc/hostname")
        #expect(open["unreadable"] == nil)
    }

    @Test(arguments: [false, true])
    func peekFallbackDecodesTheSame(forcePeek: Bool) throws {
        var env = ProcessInfo.processInfo.environment
        if forcePeek { env["AGENTWATCH_FORCE_PEEK"] = "1" } else { env["AGENTWATCH_FORCE_PEEK"] = nil }
        let r = try Harness.run([Harness.fixture("page_edge")], environment: env)
        #expect(r.syscalls("openat").last?.path("filename") == "/etc/hostname")
        let u = try Harness.run([Harness.fixture("udp_send")], environment: env)
        #expect(u.syscalls("sendmsg").first?.arg("data")?["data"] as? String == "hello-sendmsg")
        let b = try Harness.run([Harness.fixture("bad_pointers")], environment: env)
        #expect(b.syscalls("openat").last?["unreadable"] as? Bool == true)
    }
}
