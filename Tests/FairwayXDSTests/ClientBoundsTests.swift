import FairwayProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import NIOEmbedded
import Testing

@testable import FairwayXDS

/// What one ADS client can make the server hold is bounded (issue #20, item 3), and a flood of
/// idle connections cannot lock proxies out (item 7).
@Suite struct ClientBoundsTests {
  static func encodedNames(_ names: [String]) throws -> [UInt8] {
    var request = Envoy_Service_Discovery_V3_DiscoveryRequest()
    request.resourceNames = names
    return try request.serializedBytes()
  }

  static func decode(_ bytes: [UInt8]) throws -> [String] {
    try Envoy_Service_Discovery_V3_DiscoveryRequest(serializedBytes: bytes).resourceNames
  }

  @Test func nameListCacheStaysWithinItsByteBudget() throws {
    let budget = 4 * 1024 * 1024
    let lists = ResourceNameLists(byteBudget: budget)
    // 64 distinct lists of about 100 KiB each (300 KiB kept): 4 times the budget.
    for list in 0..<64 {
      let names = (0..<2_000).map { "outbound|80||svc-\(list)-\($0).default.svc.cluster.local" }
      let bytes = try Self.encodedNames(names)
      let decoded = try bytes.withUnsafeBytes {
        try lists.names(encodedIn: $0, maxNames: 10_000, decode: Self.decode)
      }
      #expect(decoded == names)
      #expect(lists.heldBytes <= budget, "after list \(list): \(lists.heldBytes) bytes held")
    }
    #expect(lists.count > 0, "lists within the budget are still kept")
  }

  @Test func aListTooLongIsRefusedAndNotKept() throws {
    let lists = ResourceNameLists()
    let bytes = try Self.encodedNames((0..<50).map { "cluster-\($0)" })
    #expect(throws: RPCError.self) {
      _ = try bytes.withUnsafeBytes {
        try lists.names(encodedIn: $0, maxNames: 49, decode: Self.decode)
      }
    }
    #expect(lists.count == 0 && lists.heldBytes == 0)
    let accepted = try bytes.withUnsafeBytes {
      try lists.names(encodedIn: $0, maxNames: 50, decode: Self.decode)
    }
    #expect(accepted.count == 50 && lists.count == 1)
  }

  @Test func aListAboveAnEighthOfTheBudgetIsDecodedButNotKept() throws {
    let lists = ResourceNameLists(byteBudget: 64 * 1024)
    let bytes = try Self.encodedNames((0..<1_000).map { "outbound|80||svc-\($0)" })
    let names = try bytes.withUnsafeBytes {
      try lists.names(encodedIn: $0, decode: Self.decode)
    }
    #expect(names.count == 1_000 && lists.count == 0)
  }

  @Test func undecodableRequestsAreInvalidArgument() throws {
    let sotw = DiscoveryRequestDeserializer(
      maxBytes: 1 << 20, maxNames: 100, lists: ResourceNameLists())
    let delta = LimitedProtobufDeserializer<Envoy_Service_Discovery_V3_DeltaDiscoveryRequest>(
      maxBytes: 1 << 20)
    // A length running past the end; a field of wire type 7.
    for bytes: [UInt8] in [[0x1a, 0x7f, 0x61], [0x22, 0x05, 0x61], [0x0f]] {
      do {
        _ = try sotw.deserialize(GRPCNIOTransportBytes(bytes))
        Issue.record("SotW decoded \(bytes)")
      } catch let error as RPCError {
        #expect(error.code == .invalidArgument, "\(error)")
      }
      do {
        _ = try delta.deserialize(GRPCNIOTransportBytes(bytes))
        Issue.record("Delta decoded \(bytes)")
      } catch let error as RPCError {
        #expect(error.code == .invalidArgument, "\(error)")
      }
    }
  }

  @Test func deltaSubscriptionBytesFollowSubscribesAndUnsubscribes() {
    var state = DeltaStreamState(controlPlaneIdentifier: "fw")
    _ = state.receive(Fixtures.deltaRequest(.endpoint, subscribe: ["aa", "bbb"]), now: Date())
    #expect(state.subscriptionFootprint == SubscriptionFootprint(names: 2, bytes: 5))
    // A name subscribed twice counts once; an unknown unsubscribe changes nothing.
    _ = state.receive(
      Fixtures.deltaRequest(.endpoint, subscribe: ["aa", "cccc"], unsubscribe: ["zz"]), now: Date())
    #expect(state.subscriptionFootprint == SubscriptionFootprint(names: 3, bytes: 9))
    _ = state.receive(Fixtures.deltaRequest(.endpoint, unsubscribe: ["bbb"]), now: Date())
    _ = state.receive(Fixtures.deltaRequest(.route, subscribe: ["80"]), now: Date())
    #expect(state.subscriptionFootprint == SubscriptionFootprint(names: 3, bytes: 8))
    // A long first subscription takes the shared set.
    var shared = DeltaStreamState(controlPlaneIdentifier: "fw")
    let names = (0..<40).map { "name-\($0)" }
    _ = shared.receive(Fixtures.deltaRequest(.endpoint, subscribe: names), now: Date())
    #expect(
      shared.subscriptionFootprint
        == SubscriptionFootprint(names: 40, bytes: names.reduce(0) { $0 + $1.utf8.count }))
  }

  @Test func sotwSubscriptionBytesAreTheLatestList() {
    var state = SotWStreamState(controlPlaneIdentifier: "fw")
    _ = state.receive(Fixtures.sotwRequest(.endpoint, names: ["aa", "bbb"]), now: Date())
    #expect(state.subscriptionFootprint == SubscriptionFootprint(names: 2, bytes: 5))
    _ = state.receive(Fixtures.sotwRequest(.endpoint, names: ["a"]), now: Date())
    #expect(state.subscriptionFootprint == SubscriptionFootprint(names: 1, bytes: 1))
  }

  @Test func aHugeNackMessageIsKeptTruncated() {
    var status = TypeSyncStatus()
    status.recordNack(
      nonce: "1", version: "", message: String(repeating: "x", count: 1 << 20), at: Date())
    let kept = status.lastError?.message ?? ""
    #expect(kept.utf8.count < TypeSyncStatus.nackMessageLimit + 64)
    #expect(kept.hasSuffix("(1048576 bytes)"))
  }

  @Test func mailboxHoldsBackTheReaderAtItsRequestLimit() async {
    let mailbox = StreamMailbox<Int>()
    let limit = StreamMailbox<Int>.requestLimit
    for value in 0..<limit { mailbox.deliver(value) }
    let reader = Task {
      await mailbox.waitForRoom()
      mailbox.deliver(limit)
      return ContinuousClock.now
    }
    try? await Task.sleep(for: .milliseconds(100))
    let released = ContinuousClock.now
    var iterator = mailbox.events.makeAsyncIterator()
    _ = await iterator.next()
    mailbox.taken()
    let delivered = await reader.value
    #expect(delivered >= released, "the reader waited until a request was taken")
    // A closed mailbox never holds the reader.
    mailbox.close()
    await mailbox.waitForRoom()
  }

  @Test func aNewConnectionDisplacesTheOldestIdleOneAtTheLimit() throws {
    let limiter = ConnectionLimiter(limit: 2)
    let (a, b, c, d) = (EmbeddedChannel(), EmbeddedChannel(), EmbeddedChannel(), EmbeddedChannel())
    for channel in [a, b, c, d] {
      try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    }
    try limiter.admit(a).wait()
    try limiter.admit(b).wait()
    limiter.opened(streamOn: a)
    // At the limit: b (idle) goes, c comes in.
    try limiter.admit(c).wait()
    #expect(!b.isActive && a.isActive && c.isActive)
    limiter.opened(streamOn: c)
    // Both in use: the newcomer is the one closed.
    try? limiter.admit(d).wait()
    #expect(!d.isActive && a.isActive && c.isActive)
    for channel in [b, d] { channel.embeddedEventLoop.run() }
    #expect(limiter.count == 2)
    _ = try? a.finish()
    _ = try? c.finish()
  }

  @Test func aConnectionWithoutAStreamIsClosedAfterTheIdleTimeout() throws {
    let limiter = ConnectionLimiter(limit: 10, idleTimeout: .milliseconds(100))
    let (idle, busy) = (EmbeddedChannel(), EmbeddedChannel())
    for channel in [idle, busy] {
      try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
      try limiter.admit(channel).wait()
    }
    limiter.opened(streamOn: busy)
    for channel in [idle, busy] { channel.embeddedEventLoop.advanceTime(by: .milliseconds(99)) }
    #expect(idle.isActive)
    for channel in [idle, busy] { channel.embeddedEventLoop.advanceTime(by: .milliseconds(1)) }
    #expect(!idle.isActive && busy.isActive)
    #expect(limiter.count == 1)
    _ = try? busy.finish()
  }
}
