// Traces are written in completion order: a syscall's line appears when it
// returns, long after events that happened while it ran. The live engine saw
// each syscall twice — at entry (`seq`, before it ran, no result) and at exit
// (`xseq`) — interleaved with everything else by sequence number. Replaying
// through the same policy needs that order back.

/// Re-emits a record-order stream in engine order: for a syscall with an
/// `exitSeq` an entry view at `seq` (`exit == nil`, `denied == false` because
/// the verdict came after, `exitSeq` kept so the two views can be paired) and
/// the completed event at `exitSeq`; every other event once at `seq`.
///
/// Sequence numbers are dense, so a view is released as soon as every smaller
/// number has been released. Views wait in a reorder buffer holding at most
/// `window` sequence numbers:
/// - A number that never comes (a syscall still running when the writer died,
///   a damaged trace) is a gap. When the buffer is full the oldest waiting
///   numbers are given up on in order; at the end of input everything left is
///   released in order. Given-up numbers are counted in `skippedNumbers`.
/// - A view whose number was already given up on (a syscall that ran longer
///   than `window` numbers) is released at once when it finally arrives,
///   out of order, and counted in `lateViews`.
public final class EngineOrder: EventStream, SyscallLineSource {
    public static let defaultWindow = 1 << 16

    private let source: EventStream
    private let window: Int
    private var ring: [Event?]
    private var expected: UInt64
    private var buffered = 0
    private var ready: [Event] = []
    private var readyHead = 0
    private var sourceDone = false

    /// Sequence numbers given up on: gaps in the input.
    public private(set) var skippedNumbers: UInt64 = 0
    /// Views released out of order because they arrived after their slot was given up.
    public private(set) var lateViews = 0

    public var warnings: [TraceDiagnostic] { source.warnings }

    public func decodeSyscalls(only filter: SyscallDecodeFilter) { source.decodeSyscalls(only: filter) }

    /// `firstSeq` is where numbering starts (1 for a whole trace).
    public init(source: EventStream, window: Int = EngineOrder.defaultWindow, firstSeq: UInt64 = 1) {
        self.source = source
        self.window = max(window, 2)
        self.ring = Array(repeating: nil, count: min(1024, self.window))
        self.expected = firstSeq
    }

    public func next() throws -> Event? {
        if let x = passedExit.take() { return x }
        while true {
            // Views released early (given up on, late, duplicates) come first: their numbers are behind `expected`.
            if readyHead < ready.count {
                let e = ready[readyHead]
                readyHead += 1
                if readyHead == ready.count {
                    ready.removeAll(keepingCapacity: true)
                    readyHead = 0
                }
                return e
            }
            // The next number in order is moved out of the ring, not copied.
            if buffered > 0, let e = ring[Int(expected % UInt64(ring.count))].take() {
                buffered -= 1
                expected += 1
                return e
            }
            if sourceDone {
                if buffered == 0 { return nil }
                // End of input: what waits is released in order, across any gaps.
                skippedNumbers += 1
                expected += 1
                continue
            }
            if let e = try source.next() {
                // In order with nothing waiting (most of a trace): straight through, no reorder buffer.
                if buffered == 0, e.seq == expected, let first = passThrough(e) { return first }
                place(e)
            } else {
                sourceDone = true
            }
        }
    }

    /// Replay's fast lane: lines whose numbers come next (nothing waiting,
    /// the exit right after the entry) are offered to `judge`, which handles
    /// their views itself when it can; their numbers are then passed.
    /// False when the source cannot offer lines.
    func takeSyscallLines(where judge: @escaping (SyscallLine, SyscallNameTable) -> Bool) -> Bool {
        let take: (SyscallLine, SyscallNameTable) -> Bool = { [unowned self] line, names in
            guard self.buffered == 0, line.seq == self.expected else { return false }
            var next = line.seq + 1
            if let x = line.xseq, line.ret != nil {
                guard x == line.seq + 1 else { return false }
                next += 1
            }
            guard judge(line, names) else { return false }
            self.expected = next
            return true
        }
        return (source as? SyscallLineSource)?.takeSyscallLines(where: take) ?? false
    }

    /// The exit view of a syscall passed through, due right after its entry.
    private var passedExit: Event?

    /// An event whose numbers come next: itself, or a syscall's entry view
    /// with its exit view kept for the following call; nil when the exit
    /// number is not the next one (other events ran meanwhile).
    private func passThrough(_ e: Event) -> Event? {
        guard case .syscall(var sc) = e.kind, let xseq = sc.exitSeq, sc.exit != nil else {
            expected += 1
            return e
        }
        guard xseq == e.seq + 1 else { return nil }
        sc.exit = nil
        sc.denied = false
        var atEntry = e
        atEntry.kind = .syscall(sc)
        passedExit = e
        expected += 2
        return atEntry
    }

    /// Places both views of a record: a syscall with an observed exit is seen
    /// at entry (no result yet, not denied) and at its exit number.
    private func place(_ e: Event) {
        guard case .syscall(var sc) = e.kind, let xseq = sc.exitSeq, sc.exit != nil else {
            place(e.seq, e)
            return
        }
        sc.exit = nil
        sc.denied = false
        var atEntry = e
        atEntry.kind = .syscall(sc)
        place(e.seq, atEntry)
        place(xseq, e)
    }

    private func place(_ key: UInt64, _ e: Event) {
        if key < expected {
            lateViews += 1
            ready.append(e)
            return
        }
        if key - expected >= UInt64(ring.count) && ring.count < window { grow(toFit: key) }
        // Full: give up on the oldest numbers until this one fits.
        while key - expected >= UInt64(ring.count) {
            if buffered == 0 {
                let jump = key - expected - UInt64(ring.count) + 1
                skippedNumbers += jump
                expected += jump
                break
            }
            releaseExpected()
        }
        let slot = Int(key % UInt64(ring.count))
        if ring[slot] != nil {
            // A number used twice breaks the density promise; keep the event anyway.
            lateViews += 1
            ready.append(e)
            return
        }
        ring[slot] = e
        buffered += 1
    }

    /// Releases the view at `expected` early (the window is full), or records a gap there, and moves on.
    private func releaseExpected() {
        if let e = ring[Int(expected % UInt64(ring.count))].take() {
            ready.append(e)
            buffered -= 1
        } else {
            skippedNumbers += 1
        }
        expected += 1
    }

    private func grow(toFit key: UInt64) {
        var size = ring.count
        while key - expected >= UInt64(size) && size < window { size *= 2 }
        size = min(size, window)
        var bigger = [Event?](repeating: nil, count: size)
        for e in ring {
            guard let e else { continue }
            let k = Self.key(of: e)
            bigger[Int(k % UInt64(size))] = e
        }
        ring = bigger
    }

    /// The number a buffered view sits at: entry views have no result yet.
    private static func key(of e: Event) -> UInt64 {
        if case .syscall(let sc) = e.kind, sc.exit != nil, let x = sc.exitSeq { return x }
        return e.seq
    }

}
