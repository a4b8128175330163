import Foundation
import Testing

@testable import FairwayXDS

@Suite struct RejectionLogTests {
  @Test func logsABurstThenHoldsBackAndCountsUntilTheWindowPasses() {
    var log = RejectionLog()
    let start = ContinuousClock.now
    let first = (0..<RejectionLog.burst).map { _ in log.admit(at: start).log }
    #expect(first == Array(repeating: true, count: RejectionLog.burst))
    #expect(log.admit(at: start + .seconds(1)).log == false)
    #expect(log.admit(at: start + .seconds(2)).log == false)
    #expect(log.suppressed == 2)
    let next = log.admit(at: start + RejectionLog.interval + .milliseconds(1))
    #expect(next.log && next.heldBack == 2)
    #expect(log.suppressed == 0)
  }

  @Test func metadataNamesProxyTypeNonceAndTruncatesALongMessage() {
    let long = String(repeating: "x", count: RejectionLog.messageLimit + 100)
    let rejection = TypeSyncStatus.Rejection(
      nonce: "7", version: "abc", message: long, time: Date())
    let metadata = RejectionLog.metadata(
      proxy: "sidecar~1", peer: "ipv4:127.0.0.1:1", type: .cluster, rejection: rejection,
      heldBack: 3)
    #expect(metadata["proxy"] == "sidecar~1")
    #expect(metadata["type"] == "cds")
    #expect(metadata["nonce"] == "7")
    #expect(metadata["suppressed"] == "3")
    let message = metadata["message"].map { "\($0)" } ?? ""
    #expect(message.hasSuffix("(\(RejectionLog.messageLimit + 100) bytes)"))
    #expect(message.utf8.count < RejectionLog.messageLimit + 40)
  }
}
