import Foundation
@testable import AgentWatchCore

// Builders shared by the memo tests (VerdictMemoTests, ContentMemoTests): one
// rule, trace lines, and replays of the same lines with memos on and off.

func memoRule(_ condition: String, name: String = "r") -> String {
    """
    - rule: \(name)
      desc: x
      condition: \(condition)
      output: x
      priority: WARNING
    """
}

func memoLine(_ seq: Int, pid: Int, _ body: String) -> String {
    #"{"seq":\#(seq),"mono":\#(seq),"wall":\#(seq),"pid":\#(pid),"tid":\#(pid),\#(body)}"#
}

/// A recvfrom body (without xseq) bringing a DNS answer: pool.example.test is 192.0.2.7.
func memoDNSAnswer() -> String {
    var answer = [UInt8]([0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0])
    for label in ["pool", "example", "test"] { answer.append(UInt8(label.utf8.count)); answer += Array(label.utf8) }
    answer += [0, 0, 1, 0, 1, 0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7]
    let text = answer.map { b in b >= 0x20 && b < 0x7F && b != 0x22 && b != 0x5C ? String(UnicodeScalar(b)) : String(format: "\\u%04x", b) }.joined()
    return #""ev":"syscall","sc":"recvfrom","nr":45,"args":{"fd":{"fd":4,"type":"ipv4","proto":"udp","name":"10.0.0.2:5353->127.0.0.53:53"},"size":512},"ret":\#(answer.count),"out":{"data":{"data":"\#(text)","len":\#(answer.count)},"addr":{"family":"inet","addr":"127.0.0.53","port":53}}"#
}

/// A connect body (without xseq) to 192.0.2.7:3333.
let memoConnect = #""ev":"syscall","sc":"connect","nr":42,"args":{"fd":{"fd":5,"type":"ipv4","proto":"tcp","name":"10.0.0.2:40000->192.0.2.7:3333"},"addr":{"family":"inet","addr":"192.0.2.7","port":3333}},"ret":0"#

/// Alerts (rule@seq) of one replay of `lines`, and how often each memo answered.
func memoReplay(_ lines: [String], policies: PolicySet, verdictMemo: Bool, contentMemo: Bool, sieve: Bool = true) throws
    -> (alerts: [String], verdictHits: Int, contentHits: Int) {
    let reader = try TraceReader(string: ([miniHeader] + lines).joined(separator: "\n") + "\n", name: "m.jsonl")
    let input = ReplayInput(name: "m.jsonl", stream: reader, header: reader.header, format: .agentwatch)
    var alerts: [String] = []
    let driver = ReplayDriver(policies: policies, sinks: [])
    driver.useVerdictMemo = verdictMemo
    driver.useContentMemo = contentMemo
    driver.useSieve = sieve
    driver.onMatch = { alerts.append("\($0.rule)@\($0.seq)") }
    let stats = try driver.replay(input)
    return (alerts, stats.memoHits, stats.contentMemoHits)
}
