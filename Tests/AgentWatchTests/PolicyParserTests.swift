import Testing
@testable import AgentWatchCore

@Suite struct PolicyParserTests {
    func parse(_ s: String) throws -> ConditionExpr { try ConditionParser.parse(s) }

    @Test func precedenceOrAndNot() throws {
        let e = try parse("a or b and not c")
        guard case .or(let xs) = e, xs.count == 2, case .macro("a", _) = xs[0], case .and(let ys) = xs[1],
              case .macro("b", _) = ys[0], case .not(.macro("c", _)) = ys[1] else {
            Issue.record("bad tree \(e)")
            return
        }
    }

    @Test func parenthesesOverridePrecedence() throws {
        let e = try parse("(a or b) and c")
        guard case .and(let xs) = e, case .or = xs[0] else { Issue.record("bad tree \(e)"); return }
    }

    @Test func notBindsTighterThanAnd() throws {
        let e = try parse("not proc.pname exists or proc.pname in (runc:[0:PARENT], runc)")
        guard case .or(let xs) = e, case .not(.exists(let f)) = xs[0], f.name == "proc.pname",
              case .compare(_, .in, let items, true) = xs[1] else { Issue.record("bad tree \(e)"); return }
        #expect(items.count == 2)
        if case .literal(let s, false, _) = items[0] { #expect(s == "runc:[0:PARENT]") } else { Issue.record("item") }
    }

    func cmp(_ e: ConditionExpr) -> (FieldRef, CompareOp, [Operand])? {
        if case .compare(let f, let op, let v, _) = e { return (f, op, v) }
        return nil
    }

    func lit(_ o: Operand?) -> (String, Bool)? {
        if case .literal(let s, let q, _)? = o { return (s, q) }
        return nil
    }

    @Test func fieldArgumentsAndValues() throws {
        let e = try parse(#"proc.aname[2]=chef and evt.arg[0] = "x y" and fd.name=/etc/ and evt.dir=< and fd.num>=0"#)
        guard case .and(let xs) = e, xs.count == 5 else { Issue.record("\(e)"); return }
        let c = xs.compactMap(cmp)
        #expect(c.count == 5)
        #expect(c[0].0.name == "proc.aname" && c[0].0.arg == "2" && lit(c[0].2.first)?.0 == "chef")
        #expect(c[1].0.arg == "0" && lit(c[1].2.first)?.0 == "x y" && lit(c[1].2.first)?.1 == true)
        #expect(lit(c[2].2.first)?.0 == "/etc/")
        #expect(lit(c[3].2.first)?.0 == "<")
        #expect(c[4].1 == .ge && lit(c[4].2.first)?.0 == "0")
    }

    @Test func quotedEscapes() throws {
        let e = try parse(#"proc.cmdline = "sh -c node -e \"require('nan')\"" or proc.name = 'it\'s'"#)
        guard case .or(let xs) = e else { Issue.record("\(e)"); return }
        #expect(lit(cmp(xs[0])?.2.first)?.0 == #"sh -c node -e "require('nan')""#)
        #expect(lit(cmp(xs[1])?.2.first)?.0 == "it's")
    }

    @Test func transformersAndVal() throws {
        let e = try parse("tolower(basename(fd.name)) = passwd and fd.name != val(proc.exepath)")
        guard case .and(let xs) = e, let (f, _, _) = cmp(xs[0]), let (_, op, vs) = cmp(xs[1]), op == .ne,
              case .field(let g)? = vs.first else { Issue.record("\(e)"); return }
        #expect(f.transformers == [.basename, .tolower])
        #expect(f.description == "tolower(basename(fd.name))")
        #expect(g.name == "proc.exepath")
    }

    @Test func stepReferences() throws {
        let e = try parse("fd.num = step[1].fd.num and fd.sip = $2.fd.sip")
        guard case .and(let xs) = e, case .stepRef(1, let f)? = cmp(xs[0])?.2.first,
              case .stepRef(2, let g)? = cmp(xs[1])?.2.first else { Issue.record("\(e)"); return }
        #expect(f.name == "fd.num" && g.name == "fd.sip")
    }

    @Test func emptyListAndListNames() throws {
        let e = try parse("proc.name in () or proc.name in (shell_binaries, \"x\")")
        guard case .or(let xs) = e, case .compare(_, .in, let a, true) = xs[0], case .compare(_, .in, let b, true) = xs[1] else {
            Issue.record("\(e)"); return
        }
        #expect(a.isEmpty)
        #expect(b.count == 2)
    }

    @Test(arguments: [
        ("proc.name = ", "expected a value", 12),
        ("proc.name foo bar", "expected an operator after 'proc.name', found 'foo'", 10),
        ("(proc.name = a", "missing ')'", 0),
        ("proc.name = a)", "unbalanced ')'", 13),
        ("proc.name in a", "'in' needs a parenthesized list, found 'a'", 13),
        ("pname = x", "'pname' is not a field", 0),
        ("proc.name = a and", "unexpected end of condition", 17),
        ("proc.name = \"abc", "unterminated string", 12),
        ("a and or b", "expected a field, macro or '(' before 'or'", 6),
    ])
    func parseErrors(_ input: String, _ message: String, _ offset: Int) {
        do {
            _ = try ConditionParser.parse(input)
            Issue.record("parsed: \(input)")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
            #expect(error.offset == offset, "\(input): \(error.offset)")
        }
    }
}
