// Event times from strace timestamps: `mono` counts from the first line, `wall`
// is epoch time when strace printed it (-ttt) or could be told (-t/-tt print
// no date: `midnight` supplies it).

struct StraceClock {
    /// Wall time (ns since the epoch) of the local midnight the log started after.
    var midnight: UInt64
    private var first: UInt64?
    private var days: UInt64 = 0
    private var lastTimeOfDay: UInt64?
    private var elapsed: UInt64 = 0
    private(set) var mono: UInt64 = 0
    private(set) var wall: UInt64 = 0

    init(midnight: UInt64) { self.midnight = midnight }

    static let day: UInt64 = 86_400 * 1_000_000_000

    /// Moves to a line's time; lines without one keep the previous line's.
    mutating func advance(_ t: StraceTime?) {
        switch t {
        case .epoch(let ns)?:
            let start = first ?? ns
            first = start
            wall = ns
            mono = ns &- start
        case .timeOfDay(let ns)?:
            // Past midnight the clock restarts; merged -ff lines may step back a little.
            if let last = lastTimeOfDay, ns + Self.day / 2 < last { days += 1 }
            lastTimeOfDay = ns
            let abs = days * Self.day + ns
            let start = first ?? abs
            first = start
            wall = midnight &+ abs
            mono = abs &- start
        case .relative(let delta)?:
            // -r: time since the previous line.
            elapsed &+= delta
            mono = elapsed
            wall = midnight &+ elapsed
        case nil:
            break
        }
    }
}
