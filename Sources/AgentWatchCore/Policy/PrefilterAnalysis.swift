/// What the seccomp prefilter may leave out, decided from the rules themselves.
///
/// A three-valued evaluation of a condition under a few facts the prefilter can
/// establish from registers: the syscall, that it was made natively (x86_64; every
/// foreign-arch and x32 call stops anyway), and for open/openat whether it opens a
/// directory (O_DIRECTORY without O_TMPFILE, where fd.type is `directory`). Leaves
/// on those facts are decided; every other leaf is unknown. A call may run without
/// a stop only when every rule is then definitely false.
///
/// For write and writev, that the descriptor is no socket (stdin, stdout and
/// stderr while none of them is one: StdioGuard keeps that true).
///
/// Three uses: a syscall indexed only by rules that cannot match a native call (the
/// pack's "32-bit syscall" rule names socket, bind, listen…) is not stopped
/// natively at all; and opens of directories (`find`, `git`, builds make thousands,
/// none touches a file's bytes) run unstopped when no rule can match one;
/// writes to stdout and stderr likewise, when no rule can match a write that sends
/// nothing on a socket.
enum PrefilterAnalysis {
    /// The syscalls whose open flags the prefilter reads from a register.
    static let directoryOpenSyscalls = ["open", "openat"]

    enum Truth { case no, yes, unknown }

    struct Facts {
        var syscall: String
        var directoryOpen = false
        /// clone flag bits known to be clear (the prefilter read the register).
        var cloneFlagsClear: UInt64 = 0
        /// A write or writev whose bytes the decoder does not read: on a
        /// descriptor that is no socket, or a unix stream whose other end stays
        /// in the traced tree (TreeSockets).
        var nonSocketWrite = false
    }

    /// The calls whose bytes the decoder reads only from sockets, and that the
    /// prefilter lets through on stdin/stdout/stderr while none of those is a socket.
    static let stdioWriteSyscalls = ["write", "writev"]

    /// Fields absent on a write whose bytes are not read: those made of the bytes
    /// sent and those of IP addresses and ports (a unix socket has none).
    static let socketOnlyFields: Set<String> = [
        "evt.buffer", "fd.sendbytes", "fd.sni", "fd.dns.query",
        "fd.sip", "fd.sport", "fd.cip", "fd.cport", "fd.rip", "fd.rport", "fd.lip", "fd.lport", "fd.ip", "fd.port",
        "fd.net", "fd.snet", "fd.cnet", "fd.rnet", "fd.lnet",
        "fd.sip.name", "fd.cip.name", "fd.rip.name", "fd.lip.name",
    ]

    static func mayMatchNonSocketWrite(_ e: RExpr) -> Bool {
        stdioWriteSyscalls.contains { eval(e, Facts(syscall: $0, nonSocketWrite: true)) != .no }
    }

    /// The clone flags whose absence makes the condition false on a native
    /// clone, so that a clone without them may run unstopped; nil when no such
    /// flags exist (the condition reads something else of a clone).
    static func cloneStopFlags(_ e: RExpr) -> UInt64? {
        let named = cloneFlagsNamed(e)
        return eval(e, Facts(syscall: "clone", cloneFlagsClear: named)) == .no ? named : nil
    }

    private static func cloneFlagsNamed(_ e: RExpr) -> UInt64 {
        switch e {
        case .constant: return 0
        case .not(let x): return cloneFlagsNamed(x)
        case .and(let xs), .or(let xs): return xs.reduce(0) { $0 | cloneFlagsNamed($1) }
        case .leaf(let l): return cloneFlagsAsked(l) ?? 0
        }
    }

    /// The flag bits a leaf `evt.arg.flags contains CLONE_…` is about; nil for any other leaf.
    private static func cloneFlagsAsked(_ l: Leaf) -> UInt64? {
        guard l.field.spec.name == "evt.arg", l.field.arg == "flags", l.field.transformers.isEmpty, l.op == .contains,
              l.literals.count == 1 else { return nil }
        return cloneFlagBits(containing: l.literals[0])
    }

    /// evt.arg.flags of a clone is its flag names joined by `|`, then the exit
    /// signal's name (or the number when no name applies). Text holding `CLONE_`
    /// and no `|` can only occur inside one flag's name: the bits of every name
    /// that holds it; nil for text that may occur elsewhere.
    static func cloneFlagBits(containing text: String) -> UInt64? {
        guard text.contains("CLONE_"), !text.contains("|") else { return nil }
        return Flags.clone.bits.reduce(0) { $0 | ($1.1.contains(text) ? $1.0 : 0) }
    }

    static func mayMatchDirectoryOpen(_ e: RExpr) -> Bool {
        directoryOpenSyscalls.contains { eval(e, Facts(syscall: $0, directoryOpen: true)) != .no }
    }

    /// The syscalls among `names` the condition can match when called natively.
    static func nativeTypes(_ e: RExpr, among names: Set<String>) -> Set<String> {
        // Only an evt.arch leaf can rule out a native call that `names` (the
        // rule's types) let in; without one, skip a walk of the tree per name.
        guard readsArch(e) else { return names }
        return names.filter { eval(e, Facts(syscall: $0)) != .no }
    }

    private static func readsArch(_ e: RExpr) -> Bool {
        switch e {
        case .constant: return false
        case .not(let x): return readsArch(x)
        case .and(let xs), .or(let xs): return xs.contains(where: readsArch)
        case .leaf(let l): return l.field.spec.name == "evt.arch"
        }
    }

    static func eval(_ e: RExpr, _ facts: Facts) -> Truth {
        switch e {
        case .constant(let b): return b ? .yes : .no
        case .not(let x):
            switch eval(x, facts) {
            case .yes: return .no
            case .no: return .yes
            case .unknown: return .unknown
            }
        case .and(let xs):
            var out = Truth.yes
            for x in xs {
                switch eval(x, facts) {
                case .no: return .no
                case .unknown: out = .unknown
                case .yes: break
                }
            }
            return out
        case .or(let xs):
            var out = Truth.no
            for x in xs {
                switch eval(x, facts) {
                case .yes: return .yes
                case .unknown: out = .unknown
                case .no: break
                }
            }
            return out
        case .leaf(let l): return leaf(l, facts)
        }
    }

    private static func leaf(_ l: Leaf, _ facts: Facts) -> Truth {
        if facts.syscall == "clone", facts.cloneFlagsClear != 0, let bits = cloneFlagsAsked(l), bits & ~facts.cloneFlagsClear == 0 {
            return .no
        }
        // Any comparison with an absent field is false (CheckCompiler), an existence test too.
        if facts.nonSocketWrite, l.field.transformers.isEmpty,
           socketOnlyFields.contains(l.field.spec.name) || (l.field.spec.name == "evt.arg" && l.field.arg == "data") {
            return .no
        }
        guard l.field.transformers.isEmpty, l.field.arg == nil, let op = l.op else { return .unknown }
        let known: String
        switch l.field.spec.name {
        case "evt.type": known = facts.syscall
        case "evt.arch": known = Arch.x86_64.rawValue
        case "fd.type" where facts.directoryOpen: known = "directory"
        case "fd.typechar" where facts.directoryOpen: known = "d"
        default: return .unknown
        }
        switch op {
        case .eq, .eqeq:
            guard l.literals.count == 1 else { return .unknown }
            return l.literals[0] == known ? .yes : .no
        case .ne:
            guard l.literals.count == 1 else { return .unknown }
            return l.literals[0] == known ? .no : .yes
        case .in:
            return l.literals.contains(known) ? .yes : .no
        default:
            return .unknown
        }
    }
}
