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

  @Test func mailboxCoalescesPushesIntoOneWakeUp() async {
    let mailbox = StreamMailbox<Int>()
    mailbox.post(PushScope(types: [.cluster]))
    mailbox.post(PushScope(types: [.route]))
    mailbox.deliver(7)
    mailbox.close()
    var events: [String] = []
    for await event in mailbox.events {
      switch event {
      case .push: events.append("push")
      case .request(let value): events.append("request \(value)")
      case .failed(let error): events.append("failed \(error.code)")
      }
    }
    #expect(events == ["push", "request 7"])
    #expect(mailbox.takePush()?.types == [.cluster, .route])
    #expect(mailbox.takePush() == nil)
  }

  @Test func mailboxHandsAnEventToAWaitingStreamAndEndsWhenClosed() async {
    let mailbox = StreamMailbox<Int>()
    let consumer = Task {
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
    let closed = StreamMailbox<Int>()
    let waiting = Task { () -> Int in
      var count = 0
      for await _ in closed.events { count += 1 }
      return count
    }
    try? await Task.sleep(for: .milliseconds(50))
    closed.close()
    #expect(await waiting.value == 0)

    let cancelled = StreamMailbox<Int>()
    let task = Task { () -> Int in
      var count = 0
      for await _ in cancelled.events { count += 1 }
      return count
    }
    try? await Task.sleep(for: .milliseconds(50))
    task.cancel()
    #expect(await task.value == 0)
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
