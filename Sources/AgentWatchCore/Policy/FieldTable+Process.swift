// proc.*, thread.*, user.* and container.* fields.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

extension FieldTable {
    static let processFields: [FieldSpec] = [
        FieldSpec("proc.pid", .int, "Process id (thread group id).") { c, _ in .int(Int64(c.event.pid)) },
        FieldSpec("proc.vpid", .int, "Same as proc.pid (no pid namespaces under ptrace).") { c, _ in .int(Int64(c.event.pid)) },
        FieldSpec("proc.ppid", .int, "Parent process id.") { c, _ in c.record.map { .int(Int64($0.ppid)) } },
        FieldSpec("proc.name", .string, "Executable base name. At execve entry: the program about to run.") { c, _ in
            c.proc.map { .string($0.name) }
        },
        FieldSpec("proc.exe", .string, "argv[0] (Falco's proc.exe), or the executable path when argv is empty.") { c, _ in
            c.proc.map { .string($0.argv.first ?? $0.exe) }
        },
        FieldSpec("proc.exepath", .string, "Full path of the executable.") { c, _ in c.proc.map { .string($0.exe) } },
        FieldSpec("proc.cmdline", .string, "proc.name followed by the arguments, space separated.") { c, _ in
            c.cmdline.map { .string($0) }
        },
        FieldSpec("proc.args", .string, "Arguments without argv[0], space separated.") { c, _ in
            c.args.map { .string($0) }
        },
        FieldSpec("proc.cwd", .string, "Working directory.") { c, _ in c.record.map { .string($0.cwd) } },
        FieldSpec("proc.pname", .string, "Parent's name; missing for the root of the traced tree's parent.") { c, _ in
            c.proc?.parent.map { .string($0.name) }
        },
        FieldSpec("proc.pcmdline", .string, "Parent's command line.") { c, _ in c.proc?.parent.map { .string($0.cmdline) } },
        FieldSpec("proc.pexe", .string, "Parent's argv[0].") { c, _ in
            c.proc?.parent.map { .string($0.argv.first ?? $0.exe) }
        },
        FieldSpec("proc.pexepath", .string, "Parent's executable path.") { c, _ in c.proc?.parent.map { .string($0.exe) } },
        FieldSpec("proc.aname", .string,
                  "Ancestor name: `proc.aname[0]` is the process, `[1]` its parent, … Without an index, any ancestor (for `=`, `in`).",
                  arg: .optionalIndex) { c, a in
            ancestor(c, a, self: { .string($0.name) }, rec: { .string($0.name) })
        },
        FieldSpec("proc.apid", .int, "Ancestor pid, indexed like proc.aname.", arg: .optionalIndex) { c, a in
            ancestor(c, a, self: { .int(Int64($0.pid)) }, rec: { .int(Int64($0.pid)) })
        },
        FieldSpec("proc.aexepath", .string, "Ancestor executable path, indexed like proc.aname.", arg: .optionalIndex) { c, a in
            ancestor(c, a, self: { .string($0.exe) }, rec: { .string($0.exe) })
        },
        FieldSpec("proc.aexe", .string, "Ancestor argv[0], indexed like proc.aname.", arg: .optionalIndex) { c, a in
            ancestor(c, a, self: { .string($0.argv.first ?? $0.exe) }, rec: { .string($0.argv.first ?? $0.exe) })
        },
        FieldSpec("proc.sid", .int, "Session id.") { c, _ in c.record.map { .int(Int64($0.sid)) } },
        FieldSpec("proc.sname", .string, "Name of the session leader, when it is in the traced tree.") { c, _ in
            guard let r = c.record, let leader = c.processes.process(r.sid) else { return nil }
            return .string(leader.name)
        },
        FieldSpec("proc.tty", .int, "Controlling terminal (tty_nr of /proc/PID/stat); 0 for a process without one.",
                  reads: .terminal) { c, _ in
            c.record.map { .int(Int64($0.tty)) }
        },
        FieldSpec("proc.is_exe_from_memfd", .bool, "The running (or, at execve entry, the about-to-run) image came from memfd_create.") { c, _ in
            c.proc.map { .bool($0.exeFromMemfd) }
        },
        FieldSpec("proc.duration", .int, "Nanoseconds since the process started.") { c, _ in
            guard let r = c.record else { return nil }
            return .int(Int64(clamping: c.event.wall &- r.started))
        },
        FieldSpec("proc.is_exe_writable", .bool, "Not yet observed: always missing.") { _, _ in nil },
        FieldSpec("thread.tid", .int, "Thread id.") { c, _ in .int(Int64(c.event.tid)) },
        FieldSpec("proc.exe.sha256", .string, "SHA-256 of the running executable's file (ours; on execve known at the exec stop, before the program's first instruction).", availability: .afterExec) { c, _ in
            c.record?.binary.flatMap { $0.sha256.isEmpty ? nil : .string($0.sha256) }
        },
        FieldSpec("proc.exe.buildid", .string, "GNU build-id of the executable (hex), empty when none (ours).", availability: .afterExec) { c, _ in
            c.record?.binary.map { .string($0.buildId) }
        },
        FieldSpec("proc.exe.format", .string, "elf64, elf32, script or data (ours).", availability: .afterExec) { c, _ in
            c.record?.binary.map { .string($0.format) }
        },
        FieldSpec("proc.exe.machine", .string, "ELF machine: x86_64, i386, aarch64… (ours).", availability: .afterExec) { c, _ in
            c.record?.binary.map { .string($0.machine) }
        },
        FieldSpec("proc.exe.static", .bool, "Statically linked (no ELF interpreter) (ours).", availability: .afterExec) { c, _ in
            c.record?.binary.map { .bool($0.isStatic) }
        },
        FieldSpec("proc.exe.stripped", .bool, "No symbol table (ours).", availability: .afterExec) { c, _ in
            c.record?.binary.map { .bool($0.stripped) }
        },
        FieldSpec("proc.exe.markers", .string, "Miner and tunnel markers (randomx, cryptonight, xmrig, stratum+tcp, ngrok, chisel…) found in the executable's symbols or read-only strings, or in the #! script that ran (ours).", availability: .afterExec) { c, _ in
            guard let r = c.record else { return nil }
            let all = (r.binary?.markers ?? []) + (r.script?.markers ?? [])
            // Several values: `proc.exe.markers in (xmrig, randomx)` holds when any was found.
            return .many(all.map { .string($0) })
        },
        FieldSpec("proc.is_script", .bool, "The exec ran a #! script through its interpreter (ours).", availability: .afterExec) { c, _ in
            c.record.map { .bool($0.script != nil) }
        },
        FieldSpec("proc.script.sha256", .string, "SHA-256 of the #! script the interpreter runs, when the exec was of a script (ours).", availability: .afterExec) { c, _ in
            c.record?.script.flatMap { $0.sha256.isEmpty ? nil : .string($0.sha256) }
        },
        FieldSpec("thread.cap_effective", .string, "Effective capabilities as names (`CAP_SYS_ADMIN CAP_NET_RAW …`), read at spawn and exec.", reads: .credentials) { c, _ in
            c.record.map { .string(Capabilities.names($0.facts.capEffective)) }
        },
        FieldSpec("thread.cap_permitted", .string, "Permitted capabilities as names.", reads: .credentials) { c, _ in
            c.record.map { .string(Capabilities.names($0.facts.capPermitted)) }
        },
        FieldSpec("thread.cap_inheritable", .string, "Inheritable capabilities as names.", reads: .credentials) { c, _ in
            c.record.map { .string(Capabilities.names($0.facts.capInheritable)) }
        },
        FieldSpec("proc.pgid", .int, "Process group id.") { c, _ in c.record.map { .int(Int64($0.facts.pgid)) } },
        FieldSpec("proc.vpgid", .int, "Same as proc.pgid (no pid namespaces under ptrace).") { c, _ in
            c.record.map { .int(Int64($0.facts.pgid)) }
        },
        FieldSpec("proc.is_pgid_leader", .bool, "The process leads its process group.") { c, _ in
            c.record.map { .bool($0.facts.pgid == $0.pid) }
        },
        FieldSpec("proc.is_vpgid_leader", .bool, "Same as proc.is_pgid_leader.") { c, _ in
            c.record.map { .bool($0.facts.pgid == $0.pid) }
        },
        FieldSpec("proc.is_sid_leader", .bool, "The process leads its session (it called setsid).") { c, _ in
            c.record.map { .bool($0.sid == $0.pid) }
        },
        FieldSpec("proc.is_exe_upper_layer", .bool, "Whether the executable sits in an overlayfs upper layer: agentwatch traces host processes and does not inspect overlay layers, so always false.") { c, _ in
            c.record.map { _ in .bool(false) }
        },
        FieldSpec("proc.is_exe_lower_layer", .bool, "Always false (see proc.is_exe_upper_layer).") { c, _ in
            c.record.map { _ in .bool(false) }
        },
        FieldSpec("user.loginuid", .int, "Audit login uid (/proc/PID/loginuid); -1 when unset.", reads: .loginuid) { c, _ in
            c.record.map { .int($0.facts.loginuid) }
        },
        FieldSpec("user.loginname", .string, "User name of user.loginuid; empty when unset.", reads: .loginuid) { c, _ in
            c.record.map { $0.facts.loginuid < 0 ? .string("") : .string(UserNames.shared.name(UInt32($0.facts.loginuid))) }
        },
        FieldSpec("thread.vtid", .int, "Same as thread.tid.") { c, _ in .int(Int64(c.event.tid)) },
        FieldSpec("user.uid", .int, "Real uid of the process.", reads: .credentials) { c, _ in c.record.map { .int(Int64($0.uid)) } },
        FieldSpec("user.name", .string, "User name for user.uid (from the password database), or the uid as text.", reads: .credentials) { c, _ in
            c.record.map { .string(UserNames.shared.name($0.uid)) }
        },
    ]

    static let miscFields: [FieldSpec] = [
        FieldSpec("container.id", .string, "Always `host`: agentwatch traces a process tree, not containers.") { _, _ in .string("host") },
        FieldSpec("container.name", .string, "Always `host`.") { _, _ in .string("host") },
        FieldSpec("container.image.repository", .string, "Always missing (no container).") { _, _ in nil },
        FieldSpec("container.image", .string, "Always missing (no container).") { _, _ in nil },
        FieldSpec("container.image.tag", .string, "Always missing (no container).") { _, _ in nil },
        FieldSpec("container.privileged", .bool, "Always missing (no container).") { _, _ in nil },
    ]

    static func ancestor(_ c: EvalContext, _ a: String?, self selfValue: (ProcView) -> FieldValue,
                         rec: (ProcessRecord) -> FieldValue) -> FieldValue? {
        guard let view = c.proc else { return nil }
        let chain = c.ancestors
        guard let a else { return .many(chain.map(rec)) }
        guard let n = Int(a), n >= 0 else { return nil }
        if n == 0 { return selfValue(view) }
        return n - 1 < chain.count ? rec(chain[n - 1]) : nil
    }
}

/// uid → name, cached: getpwuid_r can hit NSS and is too slow per event.
final class UserNames: @unchecked Sendable {
    static let shared = UserNames()
    private let lock = NSLock()
    private var cache: [UInt32: String] = [:]

    func name(_ uid: UInt32) -> String {
        lock.lock()
        if let n = cache[uid] { lock.unlock(); return n }
        lock.unlock()
        var pw = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buf = [CChar](repeating: 0, count: 4096)
        var name = String(uid)
        if getpwuid_r(uid, &pw, &buf, buf.count, &result) == 0, result != nil, let n = pw.pw_name {
            name = String(cString: n)
        }
        lock.lock()
        cache[uid] = name
        lock.unlock()
        return name
    }
}
