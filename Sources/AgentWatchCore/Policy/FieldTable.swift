// The field table: every field a condition or an output can use, one entry
// per field with its documentation (printed by the doc generator).
//
// Missing values: an extractor returns nil when the field has no meaning for
// the event (fd.sip on an openat, evt.res at syscall entry). Every comparison
// on a missing value is false, `!=` included, as in Falco; use `exists` or
// `not (... = ...)` to reason about absence.

public enum FieldTable {
    /// Fields that exist in the language but are always missing under ptrace on a host.
    public static let absentOnHost: Set<String> = [
        "container.image", "container.image.repository", "container.image.tag", "container.privileged",
    ]

    public static let all: [FieldSpec] = eventFields + processFields + fdFields + miscFields

    public static let byName: [String: FieldSpec] = {
        var m: [String: FieldSpec] = [:]
        for f in all { m[f.name] = f }
        return m
    }()

    /// Markdown reference, one line per field.
    public static func documentation() -> String {
        var out = "| Field | Type | Doc |\n|---|---|---|\n"
        for f in all {
            var name = f.name
            switch f.arg {
            case .none: break
            case .optionalIndex: name += "[N]"
            case .nameOrIndex: name += ".NAME"
            }
            let when: String
            switch f.availability {
            case .always: when = ""
            case .exitOnly: when = " *(exit only)*"
            case .exitWhenFdCreated: when = " *(exit only when the syscall creates the fd)*"
            case .afterExec: when = " *(on execve: at the exec stop)*"
            }
            out += "| `\(name)` | \(f.type.rawValue) | \(f.doc)\(when) |\n"
        }
        return out
    }

    static let eventFields: [FieldSpec] = [
        FieldSpec("evt.type", .string, "Syscall name (`openat`, `connect`); exec events are `execve`.") { c, _ in
            .string(c.syscallName)
        },
        FieldSpec("evt.dir", .string, "`>` at syscall entry, `<` at exit. `evt.dir = <` makes a rule run at exit.") { c, _ in
            .string(c.phase.rawValue)
        },
        // Numbers differ between ABIs: a 64-bit program issuing int 0x80 (i386) or x32
        // calls is hiding from rules written for x86_64; rules need to see which one ran.
        FieldSpec("evt.arch", .string, "ABI of the syscall: `x86_64`, `i386` (int 0x80) or `x32`; exec events are `x86_64`.") { c, _ in
            c.syscall.map { .string($0.arch.rawValue) }
        },
        FieldSpec("evt.num", .int, "Event sequence number.") { c, _ in .int(Int64(c.event.seq)) },
        FieldSpec("evt.time", .int, "Wall-clock time of the event, ns since the epoch.") { c, _ in
            .int(Int64(clamping: c.event.wall))
        },
        FieldSpec("evt.rawtime", .int, "Same as evt.time.") { c, _ in .int(Int64(clamping: c.event.wall)) },
        FieldSpec("evt.res", .string, "`SUCCESS`, or the errno name (`ENOENT`) when the syscall failed.",
                  availability: .exitOnly) { c, _ in
            guard let e = c.exit else { return nil }
            return .string(e.errno.map(Errno.name) ?? "SUCCESS")
        },
        FieldSpec("evt.rawres", .int, "Raw return value (negative errno on failure).", availability: .exitOnly) { c, _ in
            c.exit.map { .int($0.ret) }
        },
        FieldSpec("evt.failed", .bool, "True when the syscall returned an error.", availability: .exitOnly) { c, _ in
            c.exit.map { .bool($0.failed) }
        },
        FieldSpec("evt.arg", .string,
                  "Argument by name (`evt.arg.flags`, names as in the man page; Falco's names such as `name` are aliases) or by position (`evt.arg[0]`), as strace-like text: paths absolute, flags as `O_WRONLY|O_CREAT`, addresses as `1.2.3.4:80`. Values the kernel wrote back are found by name at exit.",
                  arg: .nameOrIndex) { c, a in
            argValue(c, a).map { .string(ArgRender.text($0)) }
        },
        FieldSpec("evt.rawarg", .string, "Argument by name or position as its raw value: numbers for flags and fds, the path as passed.",
                  arg: .nameOrIndex) { c, a in
            argValue(c, a).map(ArgRender.raw)
        },
        FieldSpec("evt.args", .string, "All arguments as `name=value` pairs.") { c, _ in
            guard let sc = c.syscall else { return nil }
            var parts = sc.args.map { "\($0.name)=\(ArgRender.text($0.value))" }
            if let e = c.exit { parts += e.out.map { "\($0.name)=\(ArgRender.text($0.value))" } }
            return .string(parts.joined(separator: " "))
        },
        FieldSpec("evt.buffer", .bytes, "First bytes of the data buffer (write, send*, pwrite); text for `contains`, bytes for `bcontains` (hex operand).") { c, _ in
            firstBuffer(c).map { .bytes($0) }
        },
        FieldSpec("evt.is_open_read", .bool, "For open/openat/openat2/creat: opened for reading.") { c, _ in
            c.openMode.map { .bool($0 == 0 || $0 == 2) }
        },
        FieldSpec("evt.is_open_write", .bool, "For open/openat/openat2/creat: opened for writing.") { c, _ in
            c.openMode.map { .bool($0 == 1 || $0 == 2) }
        },
    ]

    static func argValue(_ c: EvalContext, _ a: String?) -> ArgValue? {
        guard let a, let sc = c.syscall else { return nil }
        if let i = Int(a) { return i >= 0 && i < sc.args.count ? sc.args[i].value : nil }
        return c.arg(a)
    }

    static func firstBuffer(_ c: EvalContext) -> [UInt8]? {
        guard let sc = c.syscall else { return nil }
        for a in sc.args { if case .bytes(let b, _) = a.value { return b } }
        if let out = c.exit?.out { for a in out { if case .bytes(let b, _) = a.value { return b } } }
        return nil
    }

    /// O_ACCMODE bits of an open, or nil for other syscalls.
    static func openMode(_ c: EvalContext) -> UInt64? {
        guard FdSyscalls.isOpen(c.syscallName) else { return nil }
        if c.syscallName == "creat" { return 1 }
        switch c.arg("flags") {
        case .flags(let raw, _)?: return raw & 3
        case .int(let i)?: return UInt64(bitPattern: i) & 3
        case .hex(let h)?: return h & 3
        default: return nil
        }
    }
}
