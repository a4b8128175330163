import FairwayMesh
import FairwayResources
import GRPCCore
import Testing

@testable import FairwayXDS

@Suite struct PushMechanicsTests {
  @Test func endpointScopesMergeByUnionAndWidenToAll() {
    var scope = PushScope(types: [.endpoint], endpointClusters: ["a"])
    scope.merge(PushScope(types: [.endpoint], endpointClusters: ["b"]))
    #expect(scope.endpointClusters == ["a", "b"])
    #expect(scope.isEndpointOnly)
    scope.merge(PushScope(types: [.endpoint, .cluster]))
    #expect(scope.endpointClusters == nil)
    #expect(!scope.isEndpointOnly)
  }

  /// A VHDS proxy gets its own narrower types; merging keeps each side's VHDS set, so a
  /// batch of a VirtualService and a ServiceEntry change still brings a VHDS proxy RDS.
  @Test func vhdsTypesNarrowPerProxyAndMergeBySide() {
    var scope = PushScope(types: [.listener, .route, .virtualHost], vhdsTypes: [.virtualHost])
    let vhds = Proxy(id: "sidecar~10.0.0.1~a.default~default.svc.cluster.local")
      .overStream(delta: true)
    let sotw = vhds.overStream(delta: false)
    #expect(scope.narrowed(for: vhds).types == [.virtualHost])
    #expect(scope.narrowed(for: sotw).types == [.listener, .route, .virtualHost])
    scope.merge(PushScope(types: [.cluster, .endpoint, .virtualHost], vhdsTypes: [.virtualHost]))
    #expect(scope.narrowed(for: vhds).types == [.virtualHost])
    #expect(scope.narrowed(for: vhds).endpointClusters == nil)
    scope.merge(PushScope(types: [.route]))
    #expect(scope.narrowed(for: vhds).types == [.route, .virtualHost])
    #expect(PushScope(types: [.route], vhdsTypes: [.route]).vhdsTypes == nil)
  }

  /// Every event the mailbox hands out until it ends, as text.
  static func events(of mailbox: StreamMailbox<Int>) async -> [String] {
    var seen: [String] = []
    for await event in mailbox.events {
      switch event {
      case .push: seen.append("push")
      case .request(let value): seen.append("request \(value)")
      case .failed(let error): seen.append("failed \(error.code)")
      }
    }
    return seen
  }

  @Test func mailboxCoalescesPushesIntoOneWakeUp() async {
    let mailbox = StreamMailbox<Int>()
    mailbox.post(PushScope(types: [.cluster]))
    mailbox.post(PushScope(types: [.route]))
    mailbox.deliver(7)
    mailbox.close()
    #expect(await Self.events(of: mailbox) == ["push", "request 7"])
    #expect(mailbox.takePush()?.types == [.cluster, .route])
    #expect(mailbox.takePush() == nil)
  }

  @Test func mailboxHandsAnEventToAWaitingStreamAndEndsWhenClosed() async {
    let mailbox = StreamMailbox<Int>()
    let consumer = Task { await Self.events(of: mailbox) }
    // Delivered while the stream waits, and after it: in order, then the end.
    try? await Task.sleep(for: .milliseconds(50))
    mailbox.deliver(1)
    try? await Task.sleep(for: .milliseconds(20))
    mailbox.post(PushScope(types: [.route]))
    mailbox.deliver(2)
    mailbox.fail(RPCError(code: .invalidArgument, message: "refused"))
    // Nothing is taken once the mailbox has ended.
    mailbox.deliver(3)
    #expect(await consumer.value == ["request 1", "push", "request 2", "failed invalidArgument"])
  }

  @Test func mailboxEndsAWaitingStreamOnCloseAndOnCancellation() async {
    /// A stream's task counting its events, once it waits for the first.
    func waitingStream(_ mailbox: StreamMailbox<Int>) async -> Task<Int, Never> {
      let task = Task {
        var count = 0
        for await _ in mailbox.events { count += 1 }
        return count
      }
      try? await Task.sleep(for: .milliseconds(50))
      return task
    }
    let closed = StreamMailbox<Int>()
    let waiting = await waitingStream(closed)
    closed.close()
    #expect(await waiting.value == 0)

    let cancelled = await waitingStream(StreamMailbox<Int>())
    cancelled.cancel()
    #expect(await cancelled.value == 0)
  }

  @Test func resourceNamesCompareByTheirNamesWithTheHashTakenOnce() {
    let names: Set<String> = ["9080/a", "9080/b", "*"]
    let interned = SubscriptionSets.shared.internedRequest(names)
    #expect(SubscriptionSets.shared.internedRequest(Set(names.sorted())) == interned)
    #expect(ResourceNames(names) == ResourceNames(interned))
    #expect(ResourceNames(names).hashValue == ResourceNames(interned).hashValue)
    #expect(ResourceNames(names) != ResourceNames(names.subtracting(["*"])))
    #expect(["9080/a", "9080/b", "*"] as ResourceNames == ResourceNames(names))
  }

  @Test func tokenBucketAdmitsBurstThenRefills() {
    let start = ContinuousClock.now
    let bucket = TokenBucket(ratePerSecond: 10, burst: 2)
    #expect(bucket.tryTake(now: start))
    #expect(bucket.tryTake(now: start))
    #expect(!bucket.tryTake(now: start))
    #expect(bucket.tryTake(now: start + .milliseconds(150)))
  }
}
