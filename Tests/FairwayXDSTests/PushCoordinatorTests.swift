import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayStore
import SwiftProtobuf
import Testing

@testable import FairwayXDS

/// The coordinator on a real in-memory store, with time moved by hand: what goes out in one
/// push, when, how its translation is built, and which revision it publishes.
@Suite(.timeLimit(.minutes(1))) struct PushCoordinatorTests {
  static func seconds(_ value: Double, _ expected: Double) -> Bool {
    abs(value - expected) < 1e-9
  }

  @Test func changesWithinTheQuietPeriodGoOutAsOnePush() async throws {
    try await ADSHarness.withCoordinator { harness in
      let (clock, coordinator) = (harness.clock, harness.coordinator)
      try await harness.apply(MeshYAML.workload("reviews-3", "10.1.0.3"), pending: 1)
      try await eventually { clock.sleeperCount == 1 }
      clock.advance(by: .milliseconds(60))
      try await harness.apply(MeshYAML.workload("reviews-4", "10.1.0.4"), pending: 2)
      // 120 ms after the first change, 60 ms after the second: still inside the quiet period.
      clock.advance(by: .milliseconds(60))
      try await harness.settled(pushes: 1)
      #expect(coordinator.recentPushes.count == 1)
      #expect(coordinator.pendingChanges == 2)

      clock.advance(by: .milliseconds(40))
      try await eventually { coordinator.recentPushes.count == 2 }
      let push = try #require(coordinator.recentPushes.last)
      #expect(push.configsUpdatedCount == 2)
      #expect(push.triggers == ["WorkloadEntry": 2])
      #expect(push.types == ["eds"])
      #expect(Self.seconds(push.debounceSeconds, 0.16), "pushed \(push.debounceSeconds) s after")
      #expect(coordinator.pendingChanges == 0)
    }
  }

  @Test func aSteadyStreamOfChangesIsPushedAtTheMaximumWait() async throws {
    let config = ADSHarness.config {
      $0.debounceQuiet = .milliseconds(100)
      $0.debounceMax = .milliseconds(300)
    }
    try await ADSHarness.withCoordinator(config) { harness in
      let (clock, coordinator) = (harness.clock, harness.coordinator)
      for index in 0..<4 {
        // A change every 80 ms: never 100 ms of quiet.
        if index > 0 { clock.advance(by: .milliseconds(80)) }
        try await harness.apply(
          MeshYAML.workload("reviews-\(index + 3)", "10.1.0.\(index + 3)"), pending: index + 1)
        try await harness.settled(pushes: 1)
        #expect(coordinator.recentPushes.count == 1, "pushed at \(index * 80) ms")
      }
      clock.advance(by: .milliseconds(60))
      try await eventually { coordinator.recentPushes.count == 2 }
      let push = try #require(coordinator.recentPushes.last)
      #expect(push.configsUpdatedCount == 4)
      #expect(Self.seconds(push.debounceSeconds, 0.3), "pushed \(push.debounceSeconds) s after")
    }
  }

  @Test func endpointOnlyChangesSkipTheDebounceWhenConfigured() async throws {
    let config = ADSHarness.config { $0.endpointsSkipDebounce = true }
    try await ADSHarness.withCoordinator(config) { harness in
      let (clock, coordinator) = (harness.clock, harness.coordinator)
      // No time passes: the WorkloadEntry goes out at once.
      try await harness.apply(MeshYAML.workload("reviews-3", "10.1.0.3"))
      try await eventually { coordinator.recentPushes.count == 2 }
      let push = try #require(coordinator.recentPushes.last)
      #expect(push.types == ["eds"])
      #expect(push.debounceSeconds == 0)

      // A route change still waits for quiet.
      try await harness.apply(MeshYAML.reviewsRoute(subset: "v1"), pending: 1)
      try await harness.settled(pushes: 2)
      #expect(coordinator.recentPushes.count == 2)
      clock.advance(by: .milliseconds(100))
      try await eventually { coordinator.recentPushes.count == 3 }
    }
  }

  @Test func endpointOnlyChangesWaitForQuietByDefault() async throws {
    try await ADSHarness.withCoordinator { harness in
      let (clock, coordinator) = (harness.clock, harness.coordinator)
      try await harness.apply(MeshYAML.workload("reviews-3", "10.1.0.3"), pending: 1)
      try await harness.settled(pushes: 1)
      #expect(coordinator.recentPushes.count == 1)
      clock.advance(by: .milliseconds(99))
      try await harness.settled(pushes: 1)
      #expect(coordinator.recentPushes.count == 1)
      clock.advance(by: .milliseconds(1))
      try await eventually { coordinator.recentPushes.count == 2 }
    }
  }

  /// Batches of one patchable kind patch the previous translation; anything else rebuilds it
  /// from a snapshot. Either way the translation published carries the batch's revision.
  @Test func singleKindBatchesPatchAndServiceEntriesRebuild() async throws {
    try await ADSHarness.withCoordinator { harness in
      let (clock, coordinator, store) = (harness.clock, harness.coordinator, harness.store)
      let batches: [(String, Int, (patched: Int, rebuilt: Int))] = [
        (MeshYAML.workload("reviews-3", "10.1.0.3"), 1, (1, 0)),
        (MeshYAML.reviewsRoute(subset: "v1"), 1, (2, 0)),
        (MeshYAML.reviewsRule("RANDOM"), 1, (3, 0)),
        (MeshYAML.ratings, 1, (3, 1)),
        (
          MeshYAML.workload("reviews-4", "10.1.0.4") + "\n---\n"
            + MeshYAML.reviewsRoute(subset: "v2"),
          2, (3, 2)
        ),
      ]
      for (index, (yaml, changes, builds)) in batches.enumerated() {
        try await harness.apply(yaml, pending: changes)
        try await harness.settled(pushes: index + 1)
        clock.advance(by: .milliseconds(100))
        try await eventually { coordinator.recentPushes.count == index + 2 }
        #expect(coordinator.translationBuilds == builds, "batch \(index)")
        let push = try #require(coordinator.recentPushes.last)
        let revision = store.revision
        #expect(push.revision == revision, "batch \(index)")
        #expect(harness.service.translation.current.revision == revision, "batch \(index)")
      }
    }
  }

  /// The patch carries the batch's objects into the translation: the new endpoint is served.
  @Test func aPatchedTranslationServesTheChangedEndpoints() async throws {
    try await ADSHarness.withCoordinator { harness in
      let (clock, coordinator) = (harness.clock, harness.coordinator)
      let proxy = Proxy(node: .with { $0.id = MeshYAML.sidecar })
      func addresses() -> [String] {
        let resources = harness.service.translation.current.resources(
          for: proxy, type: .endpoint, requestedNames: nil)
        guard let v1 = resources[MeshYAML.reviewsV1],
          let assignment = try? Envoy_Config_Endpoint_V3_ClusterLoadAssignment(
            serializedBytes: v1.bytes)
        else { return [] }
        return assignment.endpoints.flatMap(\.lbEndpoints).map {
          $0.endpoint.address.socketAddress.address
        }.sorted()
      }
      #expect(addresses() == ["10.1.0.1"])
      try await harness.apply(MeshYAML.workload("reviews-3", "10.1.0.3"), pending: 1)
      try await harness.settled(pushes: 1)
      clock.advance(by: .milliseconds(100))
      try await eventually { coordinator.recentPushes.count == 2 }
      #expect(coordinator.translationBuilds == (1, 0))
      #expect(addresses() == ["10.1.0.1", "10.1.0.3"])
    }
  }
}
