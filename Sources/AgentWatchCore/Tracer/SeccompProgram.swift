import CPtrace

/// Builds the classic-BPF prefilter: native syscalls in the traced set stop,
/// everything else runs untouched; any foreign arch (int 0x80) and every x32
/// number always stop, so a 32-bit call cannot slip past a 64-bit allowlist.
enum SeccompProgram {
    static let retAllow: UInt32 = 0x7FFF_0000
    static let retTrace: UInt32 = 0x7FF0_0000

    /// RET_TRACE data values: why the filter stopped the syscall.
    enum Reason: UInt32 { case native = 1, foreignArch = 2, x32 = 3, all = 4 }

    private static func stmt(_ code: UInt16, _ k: UInt32) -> cp_bpf_insn { cp_bpf_insn(code: code, jt: 0, jf: 0, k: k) }
    private static func jump(_ code: UInt16, _ k: UInt32, _ jt: UInt8, _ jf: UInt8) -> cp_bpf_insn {
        cp_bpf_insn(code: code, jt: jt, jf: jf, k: k)
    }
    private static let ldAbsW: UInt16 = 0x20   // BPF_LD | BPF_W | BPF_ABS
    private static let jeqK: UInt16 = 0x15     // BPF_JMP | BPF_JEQ | BPF_K
    private static let jgeK: UInt16 = 0x35     // BPF_JMP | BPF_JGE | BPF_K
    private static let jgtK: UInt16 = 0x25     // BPF_JMP | BPF_JGT | BPF_K
    private static let retK: UInt16 = 0x06     // BPF_RET | BPF_K
    private static let andK: UInt16 = 0x54     // BPF_ALU | BPF_AND | BPF_K

    /// Where the open flags sit: (x86_64 number, argument index).
    static let openFlagArgs: [(nr: Int, arg: Int)] = [(257, 2), (2, 1)]
    static let oDirectory: UInt32 = 0o200000
    static let oTmpfileOnly: UInt32 = 0o20000000

    /// Offset of the low 32 bits of argument `i` in struct seccomp_data (little-endian).
    static func argLow(_ i: Int) -> UInt32 { UInt32(16 + 8 * i) }

    static let mmapNr = 9, shmatNr = 30, cloneNr = 56
    static let writeNr = 1, writevNr = 20
    /// Offset of the high 32 bits of argument `i`.
    static func argHigh(_ i: Int) -> UInt32 { argLow(i) + 4 }
    static let mapShared: UInt32 = 0x01, protWrite: UInt32 = 0x2

    /// `numbers` are x86_64 syscall numbers; `all` traces every syscall.
    /// `directoryOpens: false` lets open/openat of a directory (O_DIRECTORY
    /// without O_TMPFILE) run without a stop, when no rule could match one.
    /// Besides, mmap stops when it maps memory shared and writable, and shmat
    /// always: another process may then rewrite a checked argument (RaceCheck).
    /// `cloneStopFlags` (when not nil) lets a clone run without a stop unless its
    /// flags hold one of these bits or CLONE_UNTRACED (which the tracer refuses),
    /// or it shares the address space with a new process (RaceCheck). clone3
    /// passes its flags in memory: it always stops.
    /// `stdioExempt` lets write and writev on descriptors 0–2 run without a stop,
    /// and stops every call that could put a socket there (StdioGuard.watched).
    static func build(numbers: Set<Int>, all: Bool, directoryOpens: Bool = true,
                      cloneStopFlags: UInt64? = nil, stdioExempt: Bool = false) -> [cp_bpf_insn] {
        var p: [cp_bpf_insn] = []
        p.append(stmt(ldAbsW, 4))                                           // arch
        p.append(jump(jeqK, SyscallTable.auditArchX86_64, 1, 0))
        p.append(stmt(retK, retTrace | Reason.foreignArch.rawValue))
        p.append(stmt(ldAbsW, 0))                                           // nr
        p.append(jump(jgeK, UInt32(SyscallTable.x32Bit), 0, 1))
        p.append(stmt(retK, retTrace | Reason.x32.rawValue))
        if all {
            p.append(stmt(retK, retTrace | Reason.all.rawValue))
            return p
        }
        if !numbers.contains(mmapNr) {
            p.append(jump(jeqK, UInt32(mmapNr), 0, 8))                      // another syscall: on to the reload
            p.append(stmt(ldAbsW, argLow(3)))                               // flags
            p.append(stmt(andK, mapShared))
            p.append(jump(jeqK, 0, 3, 0))                                   // private: allow
            p.append(stmt(ldAbsW, argLow(2)))                               // prot
            p.append(stmt(andK, protWrite))
            p.append(jump(jeqK, 0, 0, 1))
            p.append(stmt(retK, retAllow))
            p.append(stmt(retK, retTrace | Reason.native.rawValue))
            p.append(stmt(ldAbsW, 0))                                       // nr again for what follows
        }
        if let stopFlags = cloneStopFlags, numbers.contains(cloneNr) {
            emitCloneBlock(stopFlags | Flags.cloneUntraced, sharedFilesStop: stdioExempt, into: &p)
        }
        var numbers = numbers
        numbers.insert(shmatNr)
        if stdioExempt {
            numbers.insert(StdioGuard.seccompNr)
            for nr in [writeNr, writevNr] where numbers.contains(nr) {
                emitStdioBlock(nr: nr, fdArg: 0, onStdio: retAllow, otherwise: retTrace | Reason.native.rawValue, into: &p)
            }
            for w in StdioGuard.watched {
                let otherwise = numbers.contains(w.nr) ? retTrace | Reason.native.rawValue : retAllow
                emitStdioBlock(nr: w.nr, fdArg: w.fdArg, command: w.command, onStdio: retTrace | Reason.native.rawValue,
                               otherwise: otherwise, into: &p)
            }
        }
        if !directoryOpens {
            for (nr, arg) in openFlagArgs where numbers.contains(nr) {
                p.append(jump(jeqK, UInt32(nr), 0, 5))                      // another syscall: skip the block
                p.append(stmt(ldAbsW, argLow(arg)))
                p.append(stmt(andK, oDirectory | oTmpfileOnly))
                p.append(jump(jeqK, oDirectory, 0, 1))
                p.append(stmt(retK, retAllow))
                p.append(stmt(retK, retTrace | Reason.native.rawValue))
            }
        }
        // A binary search over the sorted numbers keeps the per-syscall cost
        // at a handful of instructions whatever the size of the set.
        let sorted = numbers.sorted().map { UInt32($0) }
        emitSearch(sorted[...], into: &p)
        return p
    }

    /// For nr: `onStdio` when the low half of argument `fdArg` (an unsigned int
    /// descriptor, as the kernel reads it) is 0, 1 or 2 and, with `command`, the
    /// low half of argument 1 equals it; else `otherwise`. Other syscalls skip the
    /// block with nr still loaded.
    private static func emitStdioBlock(nr: Int, fdArg: Int, command: UInt32? = nil, onStdio: UInt32, otherwise: UInt32,
                                       into p: inout [cp_bpf_insn]) {
        var block: [cp_bpf_insn] = [stmt(ldAbsW, argLow(fdArg))]
        if let command {
            block.append(jump(jgtK, 2, 3, 0))                                   // not stdio: otherwise
            block.append(stmt(ldAbsW, argLow(1)))
            block.append(jump(jeqK, command, 0, 1))
        } else {
            block.append(jump(jgtK, 2, 1, 0))
        }
        block.append(stmt(retK, onStdio))
        block.append(stmt(retK, otherwise))
        p.append(jump(jeqK, UInt32(nr), 0, UInt8(block.count)))
        p += block
    }

    /// The filter StdioGuard puts on a process once a socket may sit on its
    /// stdin, stdout or stderr: its writes there stop again (other calls are the
    /// first filter's business; under stacked filters the stricter answer wins).
    static func stdioWrites() -> [cp_bpf_insn] {
        [
            stmt(ldAbsW, 4),                                                    // arch
            jump(jeqK, SyscallTable.auditArchX86_64, 0, 6),
            stmt(ldAbsW, 0),                                                    // nr
            jump(jeqK, UInt32(writeNr), 1, 0),
            jump(jeqK, UInt32(writevNr), 0, 3),
            stmt(ldAbsW, argLow(0)),
            jump(jgtK, 2, 1, 0),
            stmt(retK, retTrace | Reason.native.rawValue),
            stmt(retK, retAllow),
        ]
    }

    /// For nr == clone: trace when a stop flag is set (low or high word) or when
    /// (flags & (VM|THREAD|VFORK)) == VM, or with `sharedFilesStop` when
    /// (flags & (FILES|THREAD)) == FILES; else allow; other syscalls skip the
    /// block with nr still loaded.
    private static func emitCloneBlock(_ stopFlags: UInt64, sharedFilesStop: Bool, into p: inout [cp_bpf_insn]) {
        let low = UInt32(truncatingIfNeeded: stopFlags), high = UInt32(truncatingIfNeeded: stopFlags >> 32)
        let shape = UInt32(Flags.cloneVM | Flags.cloneThread | Flags.cloneVfork)
        var block: [cp_bpf_insn] = []
        block.append(stmt(ldAbsW, argLow(0)))
        block.append(stmt(andK, low))
        block.append(jump(jeqK, 0, 0, 255))                                     // a stop flag: trace (patched)
        if high != 0 {
            block.append(stmt(ldAbsW, argHigh(0)))
            block.append(stmt(andK, high))
            block.append(jump(jeqK, 0, 0, 255))
        }
        block.append(stmt(ldAbsW, argLow(0)))
        block.append(stmt(andK, shape))
        block.append(jump(jeqK, UInt32(Flags.cloneVM), 255, 0))                // shares memory: trace (patched)
        if sharedFilesStop {
            block.append(stmt(ldAbsW, argLow(0)))
            block.append(stmt(andK, UInt32(Flags.cloneFiles | Flags.cloneThread)))
            block.append(jump(jeqK, UInt32(Flags.cloneFiles), 255, 0))         // shares descriptors with a new process
        }
        block.append(stmt(retK, retAllow))
        let trace = block.count
        block.append(stmt(retK, retTrace | Reason.native.rawValue))
        for i in block.indices where block[i].code == jeqK {
            if block[i].jf == 255 { block[i].jf = UInt8(trace - i - 1) }
            if block[i].jt == 255 { block[i].jt = UInt8(trace - i - 1) }
        }
        p.append(jump(jeqK, UInt32(cloneNr), 0, UInt8(block.count)))        // another syscall: skip the block
        p += block
    }

    private static func emitSearch(_ nrs: ArraySlice<UInt32>, into p: inout [cp_bpf_insn]) {
        if nrs.count <= 4 {
            for (i, nr) in nrs.enumerated() {
                let remaining = nrs.count - i - 1
                // Match → skip the remaining compares and the ALLOW to reach TRACE.
                p.append(jump(jeqK, nr, UInt8(remaining + 1), 0))
            }
            p.append(stmt(retK, retAllow))
            p.append(stmt(retK, retTrace | Reason.native.rawValue))
            return
        }
        let mid = nrs.startIndex + nrs.count / 2
        let pivot = nrs[mid]
        // if nr >= pivot goto upper half, else fall through to lower half.
        let at = p.count
        p.append(jump(jgeK, pivot, 0, 0))
        emitSearch(nrs[nrs.startIndex..<mid], into: &p)
        let upperStart = p.count
        p[at].jt = UInt8(upperStart - at - 1)
        emitSearch(nrs[mid...], into: &p)
    }
}
