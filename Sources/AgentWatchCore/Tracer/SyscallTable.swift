/// Syscall numbers and names per architecture.
public enum SyscallTable {
    static let auditArchX86_64: UInt32 = 0xC000_003E
    static let auditArchI386: UInt32 = 0x4000_0003
    static let x32Bit: UInt64 = 0x4000_0000

    static let x86_64Numbers: [String: Int] = {
        var m: [String: Int] = [:]
        for (i, n) in SyscallNames.x86_64.enumerated() where !n.isEmpty { m[n] = i }
        return m
    }()

    public static func x86_64Number(_ name: String) -> Int? { x86_64Numbers[name] }

    public static func name(nr: UInt64, arch: Arch) -> String {
        switch arch {
        case .x86_64, .x32:
            let n = Int(nr & ~x32Bit)
            if n >= 0 && n < SyscallNames.x86_64.count && !SyscallNames.x86_64[n].isEmpty { return SyscallNames.x86_64[n] }
        case .i386:
            let n = Int(nr)
            if n >= 0 && n < SyscallNames.i386.count && !SyscallNames.i386[n].isEmpty { return SyscallNames.i386[n] }
        case .unknown:
            break
        }
        return "syscall_\(nr)"
    }

    public static var allX86_64Names: [String] { SyscallNames.x86_64.filter { !$0.isEmpty } }

    /// Syscalls that never return to the caller: no exit stop to wait for.
    static let noReturn: Set<String> = ["exit", "exit_group", "rt_sigreturn", "sigreturn"]
}
