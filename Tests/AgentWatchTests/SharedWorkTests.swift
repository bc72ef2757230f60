import Foundation
import Glibc
import Synchronization
import Testing
@testable import AgentWatchCore

/// Start-up work shared by two threads: every item made once, results in order.
@Suite struct SharedWorkTests {
    /// Items that take uneven times (so the helper and the caller overtake
    /// each other) reach `inOrder`'s body in index order, each once.
    @Test(arguments: [true, false])
    func inOrderHandsOverInOrder(helper: Bool) {
        for round in 0..<20 {
            let made = Mutex<[Int]>([])
            let work = SharedWork(count: 9) { i in
                usleep(UInt32((i * 7 + round) % 5) * 200)
                made.withLock { $0.append(i) }
                return i * i
            }
            if helper { work.startHelper() }
            var seen: [Int] = []
            let all = work.inOrder { seen.append($0) }
            #expect(seen == (0..<9).map { $0 * $0 })
            #expect(all == seen)
            #expect(made.withLock { $0.sorted() } == Array(0..<9))
        }
    }

    @Test func mapKeepsIndexOrder() {
        #expect(SharedWork.map(50) { $0 + 1 } == Array(1...50))
        #expect(SharedWork.map(0) { $0 }.isEmpty)
    }
}
