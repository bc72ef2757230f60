/// Whether a condition can hold for an open of a directory (open/openat with
/// O_DIRECTORY and without O_TMPFILE). When no loaded rule can, the prefilter
/// lets those opens run without a stop: `find`, `git` and every build tool open
/// directories by the thousand, and none of that changes a file's contents.
///
/// A three-valued evaluation: the facts such an open fixes (its syscall, the
/// native arch, fd.type = directory) decide the leaves on them; every other leaf
/// is unknown. A rule is safe to skip only when the result is definitely false.
enum DirectoryOpenAnalysis {
    /// The syscalls whose open flags the prefilter reads from a register.
    static let syscalls = ["open", "openat"]

    enum Truth { case no, yes, unknown }

    static func mayMatch(_ e: RExpr) -> Bool {
        syscalls.contains { eval(e, syscall: $0) != .no }
    }

    static func eval(_ e: RExpr, syscall: String) -> Truth {
        switch e {
        case .constant(let b): return b ? .yes : .no
        case .not(let x):
            switch eval(x, syscall: syscall) {
            case .yes: return .no
            case .no: return .yes
            case .unknown: return .unknown
            }
        case .and(let xs):
            var out = Truth.yes
            for x in xs {
                switch eval(x, syscall: syscall) {
                case .no: return .no
                case .unknown: out = .unknown
                case .yes: break
                }
            }
            return out
        case .or(let xs):
            var out = Truth.no
            for x in xs {
                switch eval(x, syscall: syscall) {
                case .yes: return .yes
                case .unknown: out = .unknown
                case .no: break
                }
            }
            return out
        case .leaf(let l): return leaf(l, syscall: syscall)
        }
    }

    private static func leaf(_ l: Leaf, syscall: String) -> Truth {
        guard l.field.transformers.isEmpty, l.field.arg == nil, let op = l.op else { return .unknown }
        let known: String
        switch l.field.spec.name {
        case "evt.type": known = syscall
        case "evt.arch": known = "x86_64"
        case "fd.type": known = "directory"
        case "fd.typechar": known = "d"
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
