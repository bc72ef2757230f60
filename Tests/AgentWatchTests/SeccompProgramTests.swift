import CPtrace
import Testing
@testable import AgentWatchCore

/// Runs the generated classic-BPF program the way the kernel would.
func runBPF(_ prog: [cp_bpf_insn], nr: UInt32, arch: UInt32, args: [UInt64] = []) -> UInt32 {
    var pc = 0
    var acc: UInt32 = 0
    while pc < prog.count {
        let i = prog[pc]
        switch i.code {
        case 0x20:
            if i.k >= 16, i.k < 64, (i.k - 16) % 4 == 0 {
                let arg = (Int(i.k) - 16) / 8
                let word = arg < args.count ? args[arg] : 0
                acc = (i.k - 16) % 8 == 0 ? UInt32(truncatingIfNeeded: word) : UInt32(truncatingIfNeeded: word >> 32)
            } else {
                acc = i.k == 0 ? nr : i.k == 4 ? arch : 0
            }
        case 0x54: acc &= i.k
        case 0x15: pc += acc == i.k ? Int(i.jt) : Int(i.jf)
        case 0x35: pc += acc >= i.k ? Int(i.jt) : Int(i.jf)
        case 0x25: pc += acc > i.k ? Int(i.jt) : Int(i.jf)
        case 0x06: return i.k
        default: return 0xDEAD
        }
        pc += 1
    }
    return 0xBAD
}

@Suite struct SeccompProgramTests {
    @Test(arguments: [Set<Int>(), [59], [0, 1, 2], Set(0..<40), [3, 59, 257, 435, 42, 41, 56, 322, 469, 200]])
    func tracesExactlyTheAskedNumbers(numbers: Set<Int>) {
        let prog = SeccompProgram.build(numbers: numbers, all: false)
        #expect(prog.count < 4096)
        for nr in 0..<520 {
            let ret = runBPF(prog, nr: UInt32(nr), arch: SyscallTable.auditArchX86_64)
            // shmat always stops (shared memory, see sharedWritableMappingsStop).
            if numbers.contains(nr) || nr == SeccompProgram.shmatNr {
                #expect(ret == SeccompProgram.retTrace | 1, "nr \(nr) should stop")
            } else {
                #expect(ret == SeccompProgram.retAllow, "nr \(nr) should run")
            }
        }
    }

    /// A clone stops for a flag some rule names, for CLONE_UNTRACED (refused by the
    /// tracer) and when it shares memory with a new process; any other clone runs.
    @Test func cloneStopsOnlyForFlagsThatMatter() {
        let numbers: Set<Int> = [56, 435, 59, 257]
        let newUser: UInt64 = 0x1000_0000, intoCgroup: UInt64 = 0x2_0000_0000
        let prog = SeccompProgram.build(numbers: numbers, all: false, cloneStopFlags: newUser | intoCgroup)
        let vm: UInt64 = 0x100, vfork: UInt64 = 0x4000, thread: UInt64 = 0x10000, sighand: UInt64 = 0x800
        let cases: [(UInt64, Bool)] = [
            (17, false),                                    // fork(): SIGCHLD only
            (0x0120_0000 | 17, false),                      // glibc fork: CHILD_SETTID|CHILD_CLEARTID
            (vm | vfork | 17, false),                       // vfork: the parent waits, nothing to race
            (vm | sighand | thread | 0x3d_0f00, false),     // a thread
            (vm | 17, true),                                // a new process sharing our memory
            (vm | thread, false),
            (Flags.cloneUntraced | 17, true),
            (newUser | 17, true),
            (intoCgroup | 17, true),                        // high word
            (0x4_0000_0000 | 17, false),                    // an unnamed high bit
        ]
        for (flags, stops) in cases {
            let ret = runBPF(prog, nr: 56, arch: SyscallTable.auditArchX86_64, args: [flags])
            #expect(ret == (stops ? SeccompProgram.retTrace | 1 : SeccompProgram.retAllow), "clone flags 0x\(String(flags, radix: 16))")
        }
        for nr in 0..<520 where nr != 56 {
            let ret = runBPF(prog, nr: UInt32(nr), arch: SyscallTable.auditArchX86_64, args: [Flags.cloneUntraced])
            let stops = numbers.contains(nr) || nr == SeccompProgram.shmatNr
            #expect(ret == (stops ? SeccompProgram.retTrace | 1 : SeccompProgram.retAllow), "nr \(nr)")
        }
        // clone3 keeps its flags in memory: it always stops.
        #expect(runBPF(prog, nr: 435, arch: SyscallTable.auditArchX86_64, args: [0]) == SeccompProgram.retTrace | 1)
        // Without the option every clone stops.
        let plain = SeccompProgram.build(numbers: numbers, all: false)
        #expect(runBPF(plain, nr: 56, arch: SyscallTable.auditArchX86_64, args: [17]) == SeccompProgram.retTrace | 1)
    }

    @Test func decodedSetIsTraced() {
        let numbers = Set(TraceOptions.decodedSyscalls.compactMap { SyscallTable.x86_64Number($0) })
        let prog = SeccompProgram.build(numbers: numbers, all: false)
        for nr in numbers {
            #expect(runBPF(prog, nr: UInt32(nr), arch: SyscallTable.auditArchX86_64) == SeccompProgram.retTrace | 1)
        }
        #expect(runBPF(prog, nr: 0, arch: SyscallTable.auditArchX86_64) == SeccompProgram.retAllow)  // read
    }

    @Test func foreignArchAndX32AlwaysStop() {
        let prog = SeccompProgram.build(numbers: [59], all: false)
        #expect(runBPF(prog, nr: 5, arch: SyscallTable.auditArchI386) == SeccompProgram.retTrace | 2)
        #expect(runBPF(prog, nr: 0x4000_0000 | 1, arch: SyscallTable.auditArchX86_64) == SeccompProgram.retTrace | 3)
        #expect(runBPF(prog, nr: 0x4000_0000 | 59, arch: SyscallTable.auditArchX86_64) == SeccompProgram.retTrace | 3)
        #expect(runBPF(prog, nr: 1, arch: 0xC000_00B7) == SeccompProgram.retTrace | 2)  // aarch64
    }

    /// Directory opens run unstopped only when asked, and only plain ones:
    /// O_TMPFILE carries the O_DIRECTORY bit but makes a file.
    @Test func directoryOpensRunWhenNoRuleNeedsThem() {
        let x86 = SyscallTable.auditArchX86_64
        let numbers: Set<Int> = [2, 59, 257]
        let dirFlags: UInt64 = 0o200000 | 0o4000 | 0o2000000   // O_DIRECTORY|O_NONBLOCK|O_CLOEXEC
        let tmpfile: UInt64 = 0o20200000 | 2                  // O_TMPFILE|O_RDWR
        let skipping = SeccompProgram.build(numbers: numbers, all: false, directoryOpens: false)
        let keeping = SeccompProgram.build(numbers: numbers, all: false)
        let trace = SeccompProgram.retTrace | 1
        #expect(runBPF(skipping, nr: 257, arch: x86, args: [0xFFFF_FF9C, 0x1000, dirFlags]) == SeccompProgram.retAllow)
        #expect(runBPF(skipping, nr: 2, arch: x86, args: [0x1000, dirFlags]) == SeccompProgram.retAllow)
        #expect(runBPF(skipping, nr: 257, arch: x86, args: [3, 0x1000, 0]) == trace)
        #expect(runBPF(skipping, nr: 257, arch: x86, args: [3, 0x1000, tmpfile]) == trace)
        #expect(runBPF(skipping, nr: 257, arch: x86, args: [3, 0x1000, 0o1101]) == trace)  // O_WRONLY|O_CREAT|O_TRUNC
        // High bits of the register are not flags: the kernel reads an int.
        #expect(runBPF(skipping, nr: 257, arch: x86, args: [3, 0x1000, 0xFFFF_FFFF_0000_0000]) == trace)
        #expect(runBPF(skipping, nr: 59, arch: x86) == trace)
        #expect(runBPF(skipping, nr: 1, arch: x86) == SeccompProgram.retAllow)
        #expect(runBPF(skipping, nr: 5, arch: SyscallTable.auditArchI386, args: [0x1000, dirFlags]) == SeccompProgram.retTrace | 2)
        #expect(runBPF(keeping, nr: 257, arch: x86, args: [0xFFFF_FF9C, 0x1000, dirFlags]) == trace)
    }

    /// Shared writable memory lets another process rewrite a checked argument:
    /// such mmaps stop (and shmat), private or read-only ones run.
    @Test func sharedWritableMappingsStop() {
        let x86 = SyscallTable.auditArchX86_64
        let prog = SeccompProgram.build(numbers: [59, 257], all: false)
        let trace = SeccompProgram.retTrace | 1
        let rw: UInt64 = 3, ro: UInt64 = 1
        #expect(runBPF(prog, nr: 9, arch: x86, args: [0, 4096, rw, 0x01 | 0x20]) == trace)        // MAP_SHARED|MAP_ANONYMOUS
        #expect(runBPF(prog, nr: 9, arch: x86, args: [0, 4096, rw, 0x03]) == trace)               // MAP_SHARED_VALIDATE
        #expect(runBPF(prog, nr: 9, arch: x86, args: [0, 4096, rw, 0x02 | 0x20]) == SeccompProgram.retAllow)
        #expect(runBPF(prog, nr: 9, arch: x86, args: [0, 4096, ro, 0x01]) == SeccompProgram.retAllow)
        #expect(runBPF(prog, nr: 30, arch: x86) == trace)
        #expect(runBPF(prog, nr: 59, arch: x86) == trace)
        #expect(runBPF(prog, nr: 257, arch: x86, args: [3, 0, 0]) == trace)
        #expect(runBPF(prog, nr: 0, arch: x86) == SeccompProgram.retAllow)
        // A policy that traces every mmap gets every mmap.
        let all = SeccompProgram.build(numbers: [9], all: false)
        #expect(runBPF(all, nr: 9, arch: x86, args: [0, 4096, ro, 0x02]) == trace)
    }

    @Test func allSyscallsStopsEverything() {
        let prog = SeccompProgram.build(numbers: [], all: true)
        #expect(runBPF(prog, nr: 0, arch: SyscallTable.auditArchX86_64) == SeccompProgram.retTrace | 4)
    }

    @Test func syscallNamesRoundTrip() {
        #expect(SyscallTable.x86_64Number("openat") == 257)
        #expect(SyscallTable.name(nr: 257, arch: .x86_64) == "openat")
        #expect(SyscallTable.name(nr: 102, arch: .i386) == "socketcall")
        #expect(SyscallTable.name(nr: 452, arch: .x86_64) == "fchmodat2")
        #expect(SyscallTable.name(nr: 9999, arch: .x86_64) == "syscall_9999")
    }

    /// With the stdio exemption: write and writev on 0–2 run (the kernel reads the
    /// low half of the descriptor), elsewhere they stop; every call that could put
    /// a socket on 0–2 or empty a slot stops; the same calls elsewhere keep their
    /// usual answer.
    @Test func stdioExemption() {
        let trace = SeccompProgram.retTrace | 1, allow = SeccompProgram.retAllow
        let x86 = SyscallTable.auditArchX86_64
        for numbers: Set<Int> in [[1, 20, 56, 59, 42], [1, 20, 56, 59, 42, 33, 3, 72, 16]] {
            let prog = SeccompProgram.build(numbers: numbers, all: false, cloneStopFlags: 0, stdioExempt: true)
            func ret(_ nr: Int, _ args: [UInt64]) -> UInt32 { runBPF(prog, nr: UInt32(nr), arch: x86, args: args) }
            let usual = { (nr: Int) in numbers.contains(nr) ? trace : allow }
            for nr in [1, 20] {
                #expect(ret(nr, [0]) == allow)
                #expect(ret(nr, [2, 0x7000, 10]) == allow)
                #expect(ret(nr, [0x1_0000_0001]) == allow, "the kernel writes to descriptor 1")
                #expect(ret(nr, [3]) == trace)
                #expect(ret(nr, [0xFFFF_FFFF]) == trace)
                #expect(ret(nr, [0x1_0000_0003]) == trace)
            }
            #expect(ret(3, [1]) == trace)                              // close(1)
            #expect(ret(3, [0x1_0000_0002]) == trace)
            #expect(ret(3, [7]) == usual(3))
            #expect(ret(436, [0, 100, 0]) == trace)                    // close_range(0, 100)
            #expect(ret(436, [3, 0xFFFF_FFFF, 0]) == usual(436))
            #expect(ret(33, [5, 1]) == trace)                          // dup2(5, 1)
            #expect(ret(33, [1, 5]) == usual(33))
            #expect(ret(292, [5, 2, 0]) == trace)                      // dup3(5, 2, 0)
            #expect(ret(292, [5, 9, 0]) == usual(292))
            #expect(ret(72, [1, 2, 1]) == trace)                       // fcntl(1, F_SETFD, FD_CLOEXEC)
            #expect(ret(72, [1, 3]) == usual(72))                      // fcntl(1, F_GETFL)
            #expect(ret(72, [4, 2, 1]) == usual(72))
            #expect(ret(16, [0, 0x5451]) == trace)                     // ioctl(0, FIOCLEX)
            #expect(ret(16, [0, 0x5401]) == usual(16))                 // ioctl(0, TCGETS)
            #expect(ret(16, [5, 0x5451]) == usual(16))
            let files: UInt64 = 0x400, thread: UInt64 = 0x10000, vm: UInt64 = 0x100, sighand: UInt64 = 0x800
            #expect(ret(56, [files | 17]) == trace, "a process sharing the descriptor table")
            #expect(ret(56, [vm | sighand | thread | files]) == allow, "a thread")
            #expect(ret(56, [17]) == allow)
            #expect(ret(317, [1, 8, 0]) == trace, "seccomp, for filters with a listener")
            // What the tracer then asks about at a native stop: close, close_range, dup2, dup3, fcntl, ioctl, clone, clone3, seccomp.
            #expect(StdioGuard.watchedNumbers == [3, 436, 33, 292, 72, 16, 56, 435, 317])
            #expect(runBPF(prog, nr: 3, arch: SyscallTable.auditArchI386, args: [1]) == SeccompProgram.retTrace | 2)
        }
        // Without the exemption nothing of this is in the program.
        let plain = SeccompProgram.build(numbers: [1, 20], all: false)
        #expect(runBPF(plain, nr: 1, arch: x86, args: [1]) == trace)
        #expect(runBPF(plain, nr: 3, arch: x86, args: [1]) == allow)
    }

    /// The filter a process gets once a socket may be on 0–2: its writes there stop.
    @Test func stdioWritesFilter() {
        let prog = SeccompProgram.stdioWrites()
        let trace = SeccompProgram.retTrace | 1, allow = SeccompProgram.retAllow
        let x86 = SyscallTable.auditArchX86_64
        for nr: UInt32 in [1, 20] {
            #expect(runBPF(prog, nr: nr, arch: x86, args: [1]) == trace)
            #expect(runBPF(prog, nr: nr, arch: x86, args: [0x1_0000_0000]) == trace)
            #expect(runBPF(prog, nr: nr, arch: x86, args: [3]) == allow, "the first filter's business")
        }
        for nr: UInt32 in [0, 2, 3, 33, 59, 0x4000_0001] {
            #expect(runBPF(prog, nr: nr, arch: x86, args: [1]) == allow)
        }
        #expect(runBPF(prog, nr: 4, arch: SyscallTable.auditArchI386, args: [1]) == allow, "it always stops through the first")
    }
}
