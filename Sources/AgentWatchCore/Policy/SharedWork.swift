import Foundation
import Glibc

/// `make(i)` for every i in 0..<count, shared by a thread of its own and by
/// whoever asks for the results, each taking the next index until none is
/// left. Startup work uses it: Dispatch's concurrentPerform ran everything on
/// the caller then (its pool threads come too late).
final class SharedWork<T>: @unchecked Sendable {
    private let count: Int
    private let make: @Sendable (Int) -> T
    private var done: [T?]
    private var next = 0
    private var helper: pthread_t?
    /// Guards the fields above; signalled whenever an item is done (see `inOrder`).
    private let lock = NSCondition()

    init(count: Int, _ make: @escaping @Sendable (Int) -> T) {
        self.count = count
        self.make = make
        done = Array(repeating: nil, count: count)
    }

    /// Both threads at once, the results in index order.
    static func map(_ count: Int, _ make: @escaping @Sendable (Int) -> T) -> [T] {
        let work = SharedWork(count: count, make)
        if count > 1 { work.startHelper() }
        return work.results()
    }

    /// Starts the helper thread (at most one); without it the caller of `results` does everything.
    func startHelper() {
        lock.lock()
        defer { lock.unlock() }
        guard helper == nil else { return }
        helper = PosixThread.start { [self] in drain() }
    }

    /// Takes part until every index is done, waits for the helper, and returns the results.
    func results() -> [T] { inOrder { _ in } }

    /// Hands each result to `body` in index order as soon as it is done,
    /// making items no one has taken while the next one is not; then waits
    /// for the helper and returns every result. The caller's use of an early
    /// result overlaps the making of later ones.
    func inOrder(_ body: (T) -> Void) -> [T] {
        var i = 0
        lock.lock()
        while i < count {
            if let value = done[i] {
                lock.unlock()
                body(value)
                i += 1
                lock.lock()
            } else if next < count {
                let k = next
                next += 1
                lock.unlock()
                let value = make(k)
                lock.lock()
                done[k] = value
                lock.broadcast()
            } else {
                lock.wait()  // the helper is making item i
            }
        }
        let t = helper
        helper = nil
        lock.unlock()
        if let t { pthread_join(t, nil) }
        lock.lock()
        defer { lock.unlock() }
        return done.compactMap { $0 }
    }

    private func drain() {
        while true {
            lock.lock()
            let i = next
            next += 1
            lock.unlock()
            guard i < count else { return }
            let value = make(i)
            lock.lock()
            done[i] = value
            lock.broadcast()
            lock.unlock()
        }
    }
}

/// A POSIX thread running `body`; nil when it could not be made.
private enum PosixThread {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    static func start(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
        var t = pthread_t()
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        guard pthread_create(&t, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<Body>.fromOpaque(raw).takeRetainedValue().run()
            return nil
        }, box) == 0 else {
            Unmanaged<Body>.fromOpaque(box).release()
            return nil
        }
        return t
    }
}
