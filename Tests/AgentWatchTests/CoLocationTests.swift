import Foundation
import Testing

/// A task stopping alone shares the tracer's CPU (CoLocation); what the tracee
/// can see of its CPU mask must stay its own: masks read through the kernel's
/// calls, children and threads made while pinned, a mask the task sets itself.
@Suite struct CoLocationTests {
    /// The CPUs this test may use, as /proc lists them ("0-1").
    static let allowed: String = {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }
        return line.map { String($0.split(separator: "\t").last ?? "").trimmingCharacters(in: .whitespaces) } ?? ""
    }()
    static let severalCPUs = allowed.contains("-") || allowed.contains(",")

    /// Prints `tag cpus` at each step: the mask the kernel keeps (/proc, which
    /// the tracer does not see being read), and what sched_getaffinity answers.
    static let script = """
    import os, sys, threading
    def allowed(path="/proc/self/status"):
        for line in open(path):
            if line.startswith("Cpus_allowed_list:"):
                return line.split()[1]
    def busy():
        for _ in range(100):
            open("/etc/hostname").close()
    print("first", allowed(), flush=True)
    busy()
    print("alone", allowed(), flush=True)
    # Each child forked while its parent is pinned; the fork event and the child's
    # first stop reach the tracer in either order.
    for _ in range(12):
        busy()
        pid = os.fork()
        if pid == 0:
            print("child", allowed(), flush=True)
            os._exit(0)
        os.waitpid(pid, 0)
    print("after-child", allowed(), flush=True)
    busy()
    seen = []
    t = threading.Thread(target=lambda: seen.append(allowed("/proc/thread-self/status")))
    t.start(); t.join()
    print("thread", seen[0], flush=True)
    busy()
    print("asked", ",".join(map(str, sorted(os.sched_getaffinity(0)))), flush=True)
    first = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {first})
    busy()
    print("own", allowed(), flush=True)
    """

    static func steps(colocate: Bool) throws -> [String: [String]] {
        let r = try Harness.run(["/usr/bin/python3", "-c", script], trace: false, defaults: true,
                                environment: ProcessInfo.processInfo.environment.merging(
                                    ["AGENTWATCH_COLOCATE": colocate ? "1" : "0"]) { $1 })
        #expect(r.status == 0, "\(r.stderr)")
        var steps: [String: [String]] = [:]
        for line in r.stdout.split(separator: "\n") {
            let w = line.split(separator: " ")
            if w.count == 2 { steps[String(w[0]), default: []].append(String(w[1])) }
        }
        return steps
    }

    /// The one CPU of the "alone" step (any CPU of the mask when there are several: the test then fails).
    static func pinnedCPU(_ s: [String: [String]]) -> Int { cpus(s["alone"]?.first ?? "").min() ?? -1 }

    /// The CPUs of a /proc list ("0-1,3") or of a comma list of numbers.
    static func cpus(_ list: String) -> Set<Int> {
        var set = Set<Int>()
        for part in list.split(separator: ",") {
            let ends = part.split(separator: "-").compactMap { Int($0) }
            if ends.count == 2 { set.formUnion(ends[0]...ends[1]) } else if let n = ends.first { set.insert(n) }
        }
        return set
    }

    @Test(.enabled(if: severalCPUs, "needs two CPUs or more to tell one CPU from all"))
    func aTaskStoppingAloneSharesTheTracersCPUAndSeesItsOwnMask() throws {
        let s = try Self.steps(colocate: true)
        let all = Self.cpus(Self.allowed)
        // Python's start alone may already have been enough. A hundred opens in a row, nothing else stopping: on the tracer's CPU.
        #expect(s["alone"].map { $0.map(Self.cpus) } == [[Self.pinnedCPU(s)]], "\(s)")
        #expect(s["child"]?.count == 12, "\(s)")
        for child in s["child"] ?? [] { #expect(Self.cpus(child) == all, "a child forked while pinned: \(s)") }
        #expect(s["after-child"].map { $0.map(Self.cpus) } == [all], "released once another task stopped: \(s)")
        #expect(s["thread"].map { $0.map(Self.cpus) } == [all], "a thread started while pinned: \(s)")
        #expect(s["asked"].map { $0.map(Self.cpus) } == [all], "sched_getaffinity answered while pinned: \(s)")
        // It set its own mask: left there, not moved to the tracer's CPU again.
        #expect(s["own"].map { $0.map(Self.cpus) } == [[all.min() ?? 0]], "\(s)")
    }

    /// The same program with co-location off: never a single CPU (the test above can fail).
    @Test(.enabled(if: severalCPUs, "needs two CPUs or more to tell one CPU from all"))
    func offKeepsEveryMask() throws {
        let s = try Self.steps(colocate: false)
        let all = Self.cpus(Self.allowed)
        for tag in ["first", "alone", "child", "after-child", "thread", "asked"] {
            #expect(s[tag]?.isEmpty == false, "\(tag): \(s)")
            for seen in s[tag] ?? [] { #expect(Self.cpus(seen) == all, "\(tag): \(s)") }
        }
    }
}
