import CPtrace
import Glibc

/// The working directory of the tasks that share one fs_struct, read from
/// /proc once and then kept: every relative path is resolved against it, and
/// readlink of /proc/PID/cwd cost more than the rest of an openat stop (git
/// opens thousands of objects by relative path).
///
/// Tasks share an entry exactly when kcmp(KCMP_FS) says they share the kernel
/// object (CLONE_FS: threads, mostly). The entry is read afresh — and not kept —
/// from the entry of a chdir, fchdir, unshare, setns or pivot_root in any of its
/// tasks until that syscall's exit, since the directory may change any time in
/// between; pivot_root forgets every entry. A directory renamed after the chdir
/// keeps its old name here (Falco's threads keep theirs the same way).
final class WorkingDirectory {
    private var path: String?
    private var changing = 0
    /// False until the task is tied to its creator's entry: nothing is kept.
    let keeps: Bool

    init(keeps: Bool = true, path: String? = nil) {
        self.keeps = keeps
        self.path = path
    }

    func path(tid: Int32) -> String? {
        if let p = path, changing == 0 { return p }
        let p = FdResolver.cwd(tid: tid)
        if keeps, changing == 0 { path = p }
        return p
    }

    /// The syscalls that may change the working directory of a task.
    static let changers: Set<String> = ["chdir", "fchdir", "unshare", "setns", "pivot_root"]

    func changeBegins() {
        changing += 1
        path = nil
    }

    func changeEnds() {
        changing = max(0, changing - 1)
        path = nil
    }

    /// What a child gets: this very entry when it shares the fs_struct, else a copy.
    func forChild(creator: Int32, child: Int32) -> WorkingDirectory {
        if cp_kcmp_fs(creator, child) == 0 { return self }
        return WorkingDirectory(path: changing == 0 ? path : nil)
    }
}
