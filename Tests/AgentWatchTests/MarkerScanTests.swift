import Foundation
import Testing
@testable import AgentWatchCore

/// The skip-ahead marker search finds exactly what a byte-by-byte search finds:
/// random files dense in the markers' letters, markers planted in any case, at
/// the very start and end, overlapping, cut short by the end of the file.
@Suite struct MarkerScanTests {
    static func fold(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }

    static func naive(_ data: [UInt8]) -> [String] {
        let folded = data.map(fold)
        return Fingerprinter.markers.filter { m in
            let needle = Array(m.utf8)
            guard folded.count >= needle.count else { return false }
            for s in 0...(folded.count - needle.count) where folded[s] == needle[0] {
                if Array(folded[s..<(s + needle.count)]) == needle { return true }
            }
            return false
        }
    }

    @Test func findsWhatAByteByByteSearchFinds() throws {
        var rng = CodecRNG(state: 42)
        let dir = Harness.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let letters = Array(Set(Fingerprinter.markers.joined().utf8)) + Array("XMRIGNOK .-+\u{0}\u{ff}".utf8)
        let fingerprints = Fingerprinter(hash: false)
        for round in 0..<120 {
            let size = [0, 1, 4, 5, 6, 64, 4096, 70_000][rng.below(8)] + rng.below(64)
            var data = (0..<size).map { _ in letters[rng.below(letters.count)] }
            for _ in 0..<rng.below(4) {
                var m = Array(Fingerprinter.markers[rng.below(Fingerprinter.markers.count)].utf8)
                m = m.map { rng.below(2) == 0 ? $0 : (($0 >= 97 && $0 <= 122) ? $0 - 32 : $0) }
                if rng.below(3) == 0 { m.removeLast(rng.below(m.count)) }   // a prefix only: must not count
                let at = [0, max(0, data.count - m.count), rng.below(max(1, data.count))][rng.below(3)]
                for (k, b) in m.enumerated() where at + k < data.count { data[at + k] = b }
            }
            if let first = data.first, first == 0x7F || first == UInt8(ascii: "#") { data[0] = UInt8(ascii: "Z") }
            let path = dir + "/blob\(round)"
            try Data(data).write(to: URL(fileURLWithPath: path))
            let got = fingerprints.file(path)?.markers ?? []
            #expect(got == Self.naive(data), "round \(round), \(size) bytes")
        }
    }
}

extension CodecRNG {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
