import Testing
@testable import AgentWatchCore

@Suite struct PolicyLintTests {
    func diags(_ yaml: String) -> [String] {
        PolicySet.load(yaml: yaml, file: "l.yaml").diagnostics.map(\.description)
    }

    @Test func syntaxErrorPointsAtOffendingText() {
        let d = diags("""
        - rule: r
          desc: d
          condition: evt.type = open and fd.name startswith
          output: o
          priority: INFO
        """)
        #expect(d == ["l.yaml:3:52: error: syntax error: expected a value, found end of condition"], "\(d)")
        let d2 = diags("""
        - rule: r
          desc: d
          condition: >
            evt.type = open
            and fd.name sartswith /etc
          output: o
          priority: INFO
        """)
        #expect(d2 == ["l.yaml:5:17: error: syntax error: expected an operator after 'fd.name', found 'sartswith'"], "\(d2)")
    }

    @Test func unknownFieldWithSuggestionInsideMacro() {
        let d = diags("""
        - macro: m
          condition: (proc.nmae = bash
                      or proc.name = sh)
        - rule: r
          desc: d
          condition: evt.type = execve and m
          output: o
          priority: INFO
        """)
        #expect(d == ["l.yaml:2:15: error: unknown field 'proc.nmae'; did you mean 'proc.name'?"], "\(d)")
    }

    @Test func unknownMacroAndListMisuse() {
        let d = diags("""
        - list: shells
          items: [sh]
        - macro: spawned
          condition: evt.type = execve
        - rule: r
          desc: d
          condition: spawnd and shells
          output: o
          priority: INFO
        """)
        #expect(d.contains("l.yaml:7:14: error: undefined macro 'spawnd'; did you mean 'spawned'?"), "\(d)")
        #expect(d.contains("l.yaml:7:25: error: undefined macro 'shells' ('shells' is a list: use it inside 'in (...)')"), "\(d)")
    }

    @Test func denyOnExitOnlyRule() {
        let d = diags("""
        - rule: r
          desc: d
          condition: evt.type = connect and evt.res = ECONNREFUSED
          output: o
          priority: INFO
          action: deny
        - rule: fdnum
          desc: d
          condition: evt.type = openat and fd.num = 3
          output: o
          priority: INFO
          action: pause
        - rule: fine
          desc: d
          condition: evt.type = connect and fd.sport = 4444
          output: o
          priority: INFO
          action: deny
        """)
        #expect(d == [
            "l.yaml:6:11: error: action deny needs the rule to run at syscall entry, but rule r uses fields only known at exit (evt.res, evt.rawres, evt.failed, evt.dir = <)",
            "l.yaml:12:11: error: action pause needs the rule to run at syscall entry, but rule fdnum uses fd.num, which openat only return at exit",
        ], "\(d)")
    }

    @Test func unusedDuplicateAndNeverMatching() {
        let d = diags("""
        - list: unused_list
          items: [a]
        - macro: unused_macro
          condition: proc.name = a
        - rule: r
          desc: d
          condition: evt.type = open and evt.type = connect
          output: o
          priority: INFO
        - rule: r
          desc: d
          condition: evt.type = open and not (evt.type = open)
          output: o
          priority: INFO
        """)
        #expect(d == [
            "l.yaml:10:9: warning: duplicate rule r: replaces the definition at l.yaml:5:9",
            "l.yaml:12:14: error: condition of rule r can never match (its evt.type constraints exclude every syscall)",
            "l.yaml:3:10: warning: macro unused_macro is never used",
            "l.yaml:1:9: warning: list unused_list is never used",
        ], "\(d)")
        let d2 = diags("""
        - rule: a
          desc: d
          condition: evt.type in (open, connect) and evt.type = connect and not proc.name = x
          output: o
          priority: INFO
        """)
        #expect(d2.isEmpty, "\(d2)")
    }

    @Test func unsupportedFalcoFieldsWarnAndSkip() {
        let set = PolicySet.load(yaml: """
        - rule: k8s
          desc: d
          condition: evt.type = execve and k8s.ns.name = default
          output: o %k8s.pod.name %user.loginuid
          priority: INFO
        - rule: caps
          desc: d
          condition: evt.type = execve and proc.env contains HTTP_PROXY
          output: o
          priority: INFO
        - rule: off
          desc: d
          condition: evt.type = execve and k8s.ns.name = default
          output: o
          priority: INFO
          enabled: false
        - rule: typo-tolerant
          desc: d
          condition: evt.type = execve and proc.wat = 1
          output: o
          priority: INFO
          skip-if-unknown-filter: true
        """, file: "u.yaml")
        #expect(set.errors.isEmpty, "\(set.errors)")
        #expect(set.rules.isEmpty)
        #expect(set.skipped.map(\.rule) == ["k8s", "caps", "typo-tolerant"])
        #expect(set.diagnostics.map(\.description).contains(
            "u.yaml:1:9: warning: rule k8s cannot run: field k8s.ns.name has no meaning under ptrace (Kubernetes metadata)"))
    }

    @Test func everyTypeWarning() {
        let d = diags("""
        - rule: broad
          desc: d
          condition: proc.name = curl
          output: o
          priority: INFO
        """)
        #expect(d == ["l.yaml:3:14: warning: rule broad does not restrict evt.type: it is evaluated on every traced syscall"], "\(d)")
    }

    @Test func yamlSyntaxError() {
        let d = diags("- rule: r\n  desc: [unclosed\n")
        #expect(d.count == 1 && d[0].hasPrefix("l.yaml:3:1: error: YAML:"), "\(d)")
    }

    @Test func unknownOutputFieldWarns() {
        let d = diags("""
        - rule: r
          desc: d
          condition: evt.type = open
          output: file=%fd.nme
          priority: INFO
        """)
        #expect(d == ["l.yaml:4:11: warning: output of rule r uses unknown field %fd.nme (rendered as <NA>)"], "\(d)")
    }

    @Test func fieldTableDocumentsEveryField() {
        let doc = FieldTable.documentation()
        for f in FieldTable.all {
            #expect(doc.contains("`\(f.name)"), "\(f.name)")
            #expect(!f.doc.isEmpty, "\(f.name)")
        }
    }
}

@Suite struct PolicyLintOrderTests {
    @Test func diagnosticsSortByPosition() {
        let set = PolicySet.load(sources: [("""
        - macro: unused
          condition: proc.name = a
        - rule: r
          desc: d
          condition: evt.type = open and proc.nam = x
          output: o
          priority: INFO
        """, "a.yaml"), ("- rule: r\n  enabled: true\n  bogus: 1\n", "b.yaml")])
        let d = PolicyLint.sorted(set).map(\.description)
        #expect(d == [
            "a.yaml:1:10: warning: macro unused is never used",
            "a.yaml:5:34: error: unknown field 'proc.nam'; did you mean 'proc.name'?",
            "b.yaml:3:3: error: unknown key `bogus`",
        ], "\(d)")
    }
}
