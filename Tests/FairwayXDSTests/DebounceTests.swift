import FairwayMesh
import FairwayResources
import Testing

@testable import FairwayXDS

/// The debounce alone: changes and instants in, actions out.
@Suite struct DebounceTests {
  static let start = ContinuousClock.now
  static func at(_ milliseconds: Int) -> ContinuousClock.Instant {
    start + .milliseconds(milliseconds)
  }

  static func debounce(quiet: Int = 100, max: Int = 1_000, endpointsSkip: Bool = false)
    -> Debounce
  {
    Debounce(
      Debounce.Settings(
        quiet: .milliseconds(quiet), maxDelay: .milliseconds(max), endpointsSkip: endpointsSkip))
  }

  static func change(_ kind: ConfigKind, _ name: String, types: Set<XDSResourceType>)
    -> PushScope
  {
    PushScope(
      types: types, configs: [ConfigKey(kind: kind, namespace: "default", name: name)],
      revision: 1)
  }

  static let routes = change(.virtualService, "reviews", types: [.listener, .route])
  static let endpoints = change(.workloadEntry, "reviews-1", types: [.endpoint])

  @Test func nothingPendingIsIdle() {
    var debounce = Self.debounce()
    #expect(debounce.tick(at: Self.at(0)) == .idle)
    #expect(debounce.finished(at: Self.at(0)) == .idle)
  }

  @Test func waitsForQuietThenPushesTheMergedBatch() {
    var debounce = Self.debounce()
    debounce.receive(Self.routes, at: Self.at(0))
    #expect(debounce.tick(at: Self.at(0)) == .wait(until: Self.at(100)))
    debounce.receive(Self.change(.destinationRule, "reviews", types: [.cluster]), at: Self.at(60))
    // The change at 60 ms moves the quiet deadline to 160 ms.
    #expect(debounce.tick(at: Self.at(100)) == .wait(until: Self.at(160)))
    #expect(debounce.pendingChanges == 2)
    guard case .push(let batch) = debounce.tick(at: Self.at(160)) else {
      Issue.record("no push at the end of the quiet period")
      return
    }
    #expect(batch.types == [.listener, .route, .cluster])
    #expect(batch.configs.count == 2)
    #expect(batch.firstChange == Self.at(0))
    #expect(batch.lastChange == Self.at(60))
    #expect(debounce.pendingChanges == 0)
    #expect(debounce.finished(at: Self.at(170)) == .idle)
  }

  @Test func aSteadyStreamOfChangesIsPushedAtTheMaximumDelay() {
    var debounce = Self.debounce(quiet: 100, max: 300)
    for milliseconds in stride(from: 0, through: 280, by: 70) {
      debounce.receive(Self.routes, at: Self.at(milliseconds))
      #expect(debounce.tick(at: Self.at(milliseconds)) != .idle)
      if case .push = debounce.tick(at: Self.at(milliseconds)) {
        Issue.record("pushed at \(milliseconds) ms, before quiet or the maximum delay")
      }
    }
    #expect(debounce.tick(at: Self.at(299)) == .wait(until: Self.at(300)))
    guard case .push(let batch) = debounce.tick(at: Self.at(300)) else {
      Issue.record("no push at the maximum delay")
      return
    }
    #expect(batch.firstChange == Self.at(0))
    #expect(batch.lastChange == Self.at(280))
  }

  @Test func endpointOnlyBatchesSkipTheDebounceWhenConfigured() {
    var skipping = Self.debounce(endpointsSkip: true)
    skipping.receive(Self.endpoints, at: Self.at(5))
    #expect(skipping.tick(at: Self.at(5)) == .push(Self.stamped(Self.endpoints, at: 5)))

    var waiting = Self.debounce(endpointsSkip: false)
    waiting.receive(Self.endpoints, at: Self.at(5))
    #expect(waiting.tick(at: Self.at(5)) == .wait(until: Self.at(105)))

    // Endpoints merged into a batch that is not endpoints-only wait with it.
    var merged = Self.debounce(endpointsSkip: true)
    merged.receive(Self.routes, at: Self.at(0))
    merged.receive(Self.endpoints, at: Self.at(5))
    #expect(merged.tick(at: Self.at(5)) == .wait(until: Self.at(105)))
  }

  @Test func oneBatchInFlightAtATime() {
    var debounce = Self.debounce(endpointsSkip: true)
    debounce.receive(Self.routes, at: Self.at(0))
    guard case .push = debounce.tick(at: Self.at(100)) else {
      Issue.record("no push")
      return
    }
    // Arrives during the push: even an endpoint change waits for it to finish.
    debounce.receive(Self.endpoints, at: Self.at(120))
    #expect(debounce.tick(at: Self.at(500)) == .idle)
    #expect(debounce.pushing)
    #expect(debounce.finished(at: Self.at(500)) == .push(Self.stamped(Self.endpoints, at: 120)))
    // A change during a push that is not due yet waits out its own quiet after it.
    debounce.receive(Self.routes, at: Self.at(510))
    #expect(debounce.finished(at: Self.at(520)) == .wait(until: Self.at(610)))
  }

  @Test func mergedScopesKeepTheHighestRevisionAndEveryEndpointCluster() {
    var debounce = Self.debounce()
    var first = Self.endpoints
    first.endpointClusters = ["a"]
    first.revision = 7
    var second = Self.endpoints
    second.endpointClusters = ["b"]
    second.revision = 9
    debounce.receive(second, at: Self.at(0))
    debounce.receive(first, at: Self.at(1))
    guard case .push(let batch) = debounce.tick(at: Self.at(101)) else {
      Issue.record("no push")
      return
    }
    #expect(batch.revision == 9)
    #expect(batch.endpointClusters == ["a", "b"])
  }

  static func stamped(_ scope: PushScope, at milliseconds: Int) -> PushScope {
    var scope = scope
    scope.firstChange = at(milliseconds)
    scope.lastChange = at(milliseconds)
    return scope
  }
}

/// The test clock itself: sleepers resume when the time passes, not before.
@Suite struct ManualClockTests {
  @Test func sleepersResumeInDeadlineOrderWhenTheTimeReachesThem() async throws {
    let clock = ManualClock()
    let start = clock.now
    let order = OrderLog()
    try await withThrowingTaskGroup { group in
      for milliseconds in [300, 100, 200] {
        group.addTask {
          try await clock.sleep(until: start + .milliseconds(milliseconds))
          order.append(milliseconds)
        }
      }
      try await eventually { clock.sleeperCount == 3 }
      clock.advance(by: .milliseconds(150))
      try await eventually { order.values == [100] }
      #expect(clock.sleeperCount == 2)
      clock.advance(by: .milliseconds(150))
      try await group.waitForAll()
    }
    #expect(Set(order.values) == [100, 200, 300])
    #expect(order.values.first == 100)
    // A deadline already passed does not suspend.
    try await clock.sleep(until: start)
  }

  @Test func cancellingASleeperEndsItsSleep() async throws {
    let clock = ManualClock()
    let sleeper = Task { try await clock.sleep(for: .seconds(3_600)) }
    try await eventually { clock.sleeperCount == 1 }
    sleeper.cancel()
    await #expect(throws: CancellationError.self) { try await sleeper.value }
    #expect(clock.sleeperCount == 0)
  }
}
