import CPtrace

/// One busy process (find, git log -p, a test runner) stops again and again while
/// nothing else in the tree does. Each stop then wakes the tracer's idle vCPU and,
/// on resume, the tracee's: on this kind of VM a stop after 200 µs of work costs
/// ~115 µs across two CPUs and ~45 µs on one (bench/RESULTS.md). While one task
/// has the last `streakToPin` stops to itself, it and the tracer share the
/// tracer's CPU; the first stop of any other task gives both their own masks
/// back, so parallel work (make -j2) keeps its CPUs. A single-threaded task loses
/// nothing by staying on one CPU while it is the only one stopping.
///
/// What the tracee may notice is kept from it: a task asking for (or setting) an
/// affinity mask is released before the call runs and never moved again, and a
/// child made while its creator was pinned gets the creator's own mask.
final class CoLocation {
    /// 16 pinned make -j2's compilers at every burst of header opens (51 pins a
    /// build, ~5% slower than without); 64 still pins find, git and a test
    /// runner early (9 interleaved runs: bench/RESULTS.md).
    static let streakToPin = 64
    /// A long streak is released now and then, so that the pair is placed again
    /// if something outside the tree has come to load that CPU.
    static let streakToReplace = 4096
    /// Stopped only to release a task before it sees (or sets) its mask.
    static let affinityCalls: Set<String> = ["sched_getaffinity", "sched_setaffinity"]
    /// Their x86_64 numbers: every stop asks, and a number is cheaper to look up than a name.
    static let affinityNumbers = Set(affinityCalls.compactMap(SyscallTable.x86_64Number))
    let enabled: Bool
    private var lastTid: Int32 = 0
    private var streak = 0
    private(set) var pinned: TaskState?
    /// The task pinned now, or released since its last stop, and its CPU.
    private var recent: TaskState?
    private var pinnedCPU: Int32 = -1
    private var tracerMask = cp_cpu_mask()
    private var tracerMoved = false
    private(set) var pins = 0

    init(enabled: Bool) { self.enabled = enabled }

    /// Before a stop of `task` is handled.
    func stopped(_ task: TaskState) {
        guard enabled else { return }
        if task.tid == lastTid {
            streak += 1
            if streak == Self.streakToPin, pinned == nil { pin(task) }
            if streak == Self.streakToReplace {
                if pinned != nil { release() }
                streak = 0
            }
        } else {
            lastTid = task.tid
            streak = 1
            if pinned != nil { release() }
        }
    }

    /// After the stop is handled. A fork event reports a child the kernel made
    /// before the stop: the first stop after a release may still bring one that
    /// inherited the one CPU, later ones cannot.
    func settled(_ task: TaskState) {
        if task.maskBeforePin != nil, pinned !== task {
            task.maskBeforePin = nil
            if recent === task { recent = nil }
        }
    }

    /// A child (process or thread) of a creator pinned when it forked.
    func created(_ child: Int32, by creator: TaskState) {
        guard var mask = creator.maskBeforePin else { return }
        _ = cp_set_affinity(child, &mask)
    }

    /// A task seen before its creator's fork event: a thread or child of the
    /// recently pinned task, made on the one CPU, may already run there.
    func appeared(_ tid: Int32, process: Int32, parent: Int32) {
        guard let t = recent, var mask = t.maskBeforePin, process == t.pid || parent == t.pid else { return }
        var now = cp_cpu_mask()
        guard cp_get_affinity(tid, &now) == 0, cp_mask_is_only(&now, pinnedCPU) != 0 else { return }
        _ = cp_set_affinity(tid, &mask)
    }

    func ended(_ task: TaskState) {
        if recent === task { recent = nil }
        guard pinned === task else { return }
        pinned = nil
        restoreTracer()
    }

    /// `task` is about to read or set its mask (sched_getaffinity, sched_setaffinity).
    func affinityAsked(of task: TaskState) {
        task.keepsOwnAffinity = true
        if pinned === task { release() }
    }

    private func pin(_ task: TaskState) {
        guard !task.keepsOwnAffinity else { return }
        let cpu = cp_current_cpu()
        var mask = cp_cpu_mask()
        guard cpu >= 0, cp_get_affinity(task.tid, &mask) == 0, cp_mask_has(&mask, cpu) != 0,
              cp_get_affinity(0, &tracerMask) == 0 else { return }
        guard cp_pin_to_cpu(task.tid, cpu) == 0 else { return }
        guard cp_pin_to_cpu(0, cpu) == 0 else {
            _ = cp_set_affinity(task.tid, &mask)
            return
        }
        tracerMoved = true
        task.maskBeforePin = mask
        pinned = task
        recent = task
        pinnedCPU = cpu
        pins += 1
    }

    private func release() {
        if let task = pinned, var mask = task.maskBeforePin { _ = cp_set_affinity(task.tid, &mask) }
        pinned = nil
        restoreTracer()
    }

    private func restoreTracer() {
        guard tracerMoved else { return }
        _ = cp_set_affinity(0, &tracerMask)
        tracerMoved = false
    }
}
