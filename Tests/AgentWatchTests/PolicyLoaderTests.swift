import Testing
@testable import AgentWatchCore

@Suite struct PolicyLoaderTests {
    let base = """
    - list: shells
      items: [bash, sh]
    - list: all_shells
      items: [shells, zsh, '"fish"']
    - macro: spawned
      condition: evt.type in (execve, execveat)
    - macro: shell_spawned
      condition: spawned and proc.name in (all_shells)
    - rule: Shell
      desc: a shell ran
      condition: shell_spawned and not proc.pname = sshd
      output: shell %proc.name by %proc.pname (%evt.type)
      priority: notice
      tags: [shell]
    """

    func execEvent(_ w: PolicyWorld, _ exe: String, pid: Int32 = 300) -> Event {
        w.spawn(pid: pid, ppid: 100, exe: "/usr/bin/python3", argv: ["python3"])
        return w.sys("execve", pid: pid, [Arg("pathname", .path(exe, raw: exe)),
                                         Arg("argv", .strings([exe.split(separator: "/").last.map(String.init) ?? exe], truncated: false))])
    }

    @Test func nestedListsAndMacros() {
        let set = PolicySet.load(yaml: base)
        #expect(set.errors.isEmpty, "\(set.errors)")
        let e = PolicyEngine(policies: set)
        for (exe, hit) in [("/bin/bash", true), ("/bin/zsh", true), ("/usr/bin/fish", true), ("/bin/ls", false)] {
            let w = PolicyWorld()
            let m = e.evaluate(execEvent(w, exe), processes: w.table)
            #expect(m.map(\.rule) == (hit ? ["Shell"] : []), "\(exe)")
            if hit {
                #expect(m[0].priority == .notice)
                #expect(m[0].action == .alert)
                #expect(m[0].output.hasPrefix("shell "))
                #expect(m[0].output.hasSuffix(" by python3 (execve)"))
                #expect(m[0].fields.contains { $0.0 == "proc.name" })
            }
        }
    }

    @Test func overrideAppendAndReplace() {
        let set = PolicySet.load(sources: [(base, "a.yaml"), ("""
        - list: shells
          items: [dash]
          override:
            items: append
        - macro: spawned
          condition: evt.type = execve
          override:
            condition: replace
        - rule: Shell
          condition: and not proc.name = zsh
          override:
            condition: append
        - rule: Shell
          priority: CRITICAL
          action: kill
          scope: process
          override:
            priority: replace
            action: replace
            scope: replace
        """, "b.yaml")])
        #expect(set.errors.isEmpty, "\(set.errors)")
        let e = PolicyEngine(policies: set)
        #expect(e.tracedSyscalls == ["execve"])
        for (exe, hit) in [("/bin/dash", true), ("/bin/zsh", false), ("/bin/bash", true)] {
            let w = PolicyWorld()
            let m = e.evaluate(execEvent(w, exe), processes: w.table)
            #expect(m.map(\.rule) == (hit ? ["Shell"] : []), "\(exe)")
            if hit {
                #expect(m[0].priority == .critical && m[0].action == .kill && m[0].scope == .process)
            }
        }
    }

    @Test func legacyAppendAndDisable() {
        let more = """
        - list: shells
          items: [ksh]
          append: true
        - rule: Shell
          condition: and proc.name != bash
          append: true
        """
        let set = PolicySet.load(sources: [(base, "a.yaml"), (more, "b.yaml")])
        #expect(set.errors.isEmpty, "\(set.errors)")
        let e = PolicyEngine(policies: set)
        let w = PolicyWorld()
        #expect(fired(e, w, execEvent(w, "/bin/ksh")) == ["Shell"])
        #expect(fired(e, w, execEvent(w, "/bin/bash", pid: 301)).isEmpty)

        let off = PolicySet.load(sources: [(base, "a.yaml"), ("- rule: Shell\n  enabled: false\n", "c.yaml")])
        #expect(off.errors.isEmpty)
        #expect(off.rules.isEmpty)
        let on = PolicySet.load(sources: [(base, "a.yaml"), ("- rule: Shell\n  enabled: false\n", "c.yaml"),
                                          ("- rule: Shell\n  enabled: true\n", "d.yaml")])
        #expect(on.rules.map(\.name) == ["Shell"])
    }

    @Test func appendToMissingIsAnError() {
        let set = PolicySet.load(yaml: """
        - macro: m
          condition: and x
          append: true
        - rule: r
          enabled: false
        """, file: "x.yaml")
        let msgs = set.errors.map(\.description)
        #expect(msgs == ["x.yaml:1:10: error: cannot append to macro m: it is not defined earlier",
                         "x.yaml:4:9: error: cannot enable/disable rule r: it is not defined earlier"])
    }

    @Test func unknownKeysWithPosition() {
        let set = PolicySet.load(yaml: """
        - rule: r
          desc: d
          condtion: evt.type = open
          output: o
          priority: INFO
        - list: l
          items: [a]
          item: [b]
        - macro: m
          condition: proc.name = a
        - foo: bar
        """, file: "k.yaml")
        let msgs = set.errors.map(\.description)
        #expect(msgs.contains("k.yaml:3:3: error: unknown key `condtion`; did you mean `condition`?"), "\(msgs)")
        #expect(msgs.contains("k.yaml:8:3: error: unknown key `item`; did you mean `items`?"), "\(msgs)")
        #expect(msgs.contains("k.yaml:11:3: error: unknown item with keys [foo]: expected rule, macro or list"), "\(msgs)")
    }

    @Test func ruleKeysParse() throws {
        let set = PolicySet.load(yaml: """
        - required_engine_version: 0.57.0
        - required_plugin_versions:
            - name: container
              version: 0.4.0
        - rule: r
          desc: d
          condition: evt.type = unlinkat and fd.name startswith /home
          output: o
          priority: Informational
          action: deny
          errno: EACCES
          tags: [a, b]
          warn_evttypes: false
          skip-if-unknown-filter: true
        - rule: r2
          desc: d
          condition: evt.type = open
          output: o
          priority: info
          errno: 13
          source: syscall
        - rule: audit
          desc: d
          condition: ka.verb = create
          output: o
          priority: debug
          source: k8s_audit
        """)
        #expect(set.errors.isEmpty, "\(set.errors)")
        let r = try #require(set.rules.first)
        #expect(r.priority == .informational && r.action == .deny && r.errno == 13 && r.tags == ["a", "b"])
        #expect(set.rules.count == 2)
        #expect(set.rules[1].errno == 13 && set.rules[1].action == .alert && set.rules[1].priority == .informational)
        #expect(set.skipped.map(\.rule) == ["audit"])
        #expect(set.diagnostics.warnings.contains { $0.message.contains("source 'k8s_audit'") })
    }

    @Test func badValuesAreErrors() {
        let set = PolicySet.load(yaml: """
        - rule: r
          desc: d
          condition: evt.type = open
          output: o
          priority: LOUD
          action: explode
          errno: ENOPE
          scope: galaxy
        """, file: "v.yaml")
        let msgs = set.errors.map(\.description)
        #expect(msgs.count == 4, "\(msgs)")
        #expect(msgs.first?.hasPrefix("v.yaml:5:13: error: unknown priority 'LOUD'") == true, "\(msgs)")
    }

    @Test func exceptionsAddNegatedAlternatives() {
        let yaml = """
        - list: trusted_dirs
          items: [/usr/bin, /bin]
        - rule: Write below etc
          desc: d
          condition: evt.type = openat and fd.name startswith /etc
          output: o
          priority: ERROR
          exceptions:
            - name: proc_dir
              fields: [proc.name, fd.directory]
              comps: [=, in]
              values:
                - [vim, [/etc/ssh, /etc/ssl]]
                - [apt, [/etc/apt]]
            - name: names
              fields: proc.name
              values: [dpkg, rpm]
            - name: exe_dirs
              fields: [proc.exepath]
              comps: [pmatch]
              values:
                - [trusted_dirs]
        """
        let e = engine(yaml)
        #expect(e.policies.errors.isEmpty, "\(e.policies.errors)")
        func hit(_ exe: String, _ path: String) -> Bool {
            let w = PolicyWorld()
            w.spawn(pid: 300, ppid: 100, exe: exe, argv: [exe])
            return !fired(e, w, w.sys("openat", pid: 300, PolicyWorld.openat(path))).isEmpty
        }
        #expect(!hit("/opt/vim", "/etc/ssh/sshd_config"))
        #expect(hit("/opt/vim", "/etc/apt/sources.list"))
        #expect(!hit("/opt/apt", "/etc/apt/sources.list"))
        #expect(!hit("/opt/dpkg", "/etc/passwd"))
        #expect(!hit("/usr/bin/tee", "/etc/passwd"))
        #expect(hit("/opt/tee", "/etc/passwd"))
    }

    @Test func exceptionValuesAppend() {
        let e = PolicyEngine(policies: PolicySet.load(sources: [("""
        - rule: r
          desc: d
          condition: evt.type = openat
          output: o
          priority: ERROR
          exceptions:
            - name: procs
              fields: [proc.name]
              values: [[cat]]
        """, "a.yaml"), ("""
        - rule: r
          exceptions:
            - name: procs
              values: [[tee]]
          override:
            exceptions: append
        """, "b.yaml")]))
        #expect(e.policies.errors.isEmpty, "\(e.policies.errors)")
        for (exe, hit) in [("/bin/cat", false), ("/bin/tee", false), ("/bin/ls", true)] {
            let w = PolicyWorld()
            w.spawn(pid: 300, ppid: 100, exe: exe, argv: [exe])
            #expect(fired(e, w, w.sys("openat", pid: 300, PolicyWorld.openat("/x"))).isEmpty == !hit, "\(exe)")
        }
    }
}
