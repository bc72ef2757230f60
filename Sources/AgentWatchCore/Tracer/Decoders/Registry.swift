/// Every decoder by syscall name, and what the tracer does with the names it
/// cannot decode (raw register values, so --all-syscalls still shows them).
enum DecoderRegistry {
    static let entry: [String: EntryDecoder] = {
        var m: [String: EntryDecoder] = [:]
        for family in [ExecDecoders.entry, CloneDecoders.entry, OpenDecoders.entry, DescDecoders.entry,
                       FileOpsDecoders.entry, SignalDecoders.entry, ProcessCtlDecoders.entry,
                       MemoryDecoders.entry, IoUringDecoders.entry, KernelDecoders.entry, NetDecoders.entry] {
            m.merge(family) { a, _ in a }
        }
        // i386 spellings of the same calls.
        m["fcntl64"] = m["fcntl"]
        m["mmap2"] = m["mmap"]
        m["send"] = { c in
            [Arg("fd", c.fd(0)), Arg("data", c.payload(ptr: c.u(1), len: c.u(2))), Arg("flags", Flags.msg.value(c.u(3)))]
        }
        return m
    }()

    static let exit: [String: ExitDecoder] = {
        var m: [String: ExitDecoder] = [:]
        for family in [CloneDecoders.exit, OpenDecoders.exit, DescDecoders.exit, MemoryDecoders.exit,
                       IoUringDecoders.exit, NetDecoders.exit] {
            m.merge(family) { a, _ in a }
        }
        m["fcntl64"] = m["fcntl"]
        return m
    }()

    /// Syscalls agentwatch decodes in full; the default traced set. read and
    /// readv are decoded but left out: stopping on every read costs more than
    /// the bytes tell (the tracer follows them on DNS streams only).
    static var decodedNames: Set<String> { Set(entry.keys).subtracting(["fcntl64", "mmap2", "send", "read", "readv"]) }

    static func generic(_ c: inout DecodeContext, count: Int = 6) -> [Arg] {
        (0..<count).map { Arg("arg\($0)", .hex(c.u($0))) }
    }
}
