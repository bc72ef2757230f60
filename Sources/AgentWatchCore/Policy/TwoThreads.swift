import Foundation
import Glibc

/// Runs `work(i)` for every i in 0..<count on the calling thread and one more,
/// each taking the next index until none is left. Dispatch's concurrentPerform
/// ran everything on the caller at startup (its pool threads come too late).
enum TwoThreads {
    static func forEach(_ count: Int, _ work: @escaping @Sendable (Int) -> Void) {
        guard count > 1 else {
            if count == 1 { work(0) }
            return
        }
        let shared = Shared(count: count, work: work)
        var thread = pthread_t()
        let box = Unmanaged.passRetained(shared).toOpaque()
        let started = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<Shared>.fromOpaque(raw).takeRetainedValue().drain()
            return nil
        }, box)
        if started != 0 { Unmanaged<Shared>.fromOpaque(box).release() }
        shared.drain()
        if started == 0 { pthread_join(thread, nil) }
    }

    private final class Shared: @unchecked Sendable {
        let count: Int
        let work: @Sendable (Int) -> Void
        private var next = 0
        private let lock = NSLock()

        init(count: Int, work: @escaping @Sendable (Int) -> Void) {
            self.count = count
            self.work = work
        }

        func drain() {
            while true {
                lock.lock()
                let i = next
                next += 1
                lock.unlock()
                if i >= count { return }
                work(i)
            }
        }
    }
}
