import FairwayProto
import FairwayResources
import Foundation
import Testing

@testable import FairwayXDS

@Suite struct DeltaStreamStateTests {
  let now = Date(timeIntervalSince1970: 1_800_000_000)

  @Test func subscribedNameThatDoesNotExistIsRemovedThenSentWhenCreated() throws {
    var state = DeltaStreamState(controlPlaneIdentifier: "fw")
    let outcome = state.receive(
      Fixtures.deltaRequest(.endpoint, subscribe: ["a", "ghost"]), now: now)
    #expect(outcome.verdict == .initial && outcome.respond)
    let set = ResourceSet(type: .endpoint, resources: [Fixtures.endpoints("a")])
    let first = try #require(
      try Fixtures.decodeDelta(
        state.response(for: .endpoint, available: set, force: false, limit: nil, now: now)))
    #expect(first.resources.map(\.name) == ["a"])
    #expect(first.resources[0].version == Fixtures.endpoints("a").version)
    #expect(first.removedResources == ["ghost"])
    // Nothing changed: nothing sent.
    #expect(
      state.response(for: .endpoint, available: set, force: false, limit: nil, now: now) == nil)
    var grown = set
    grown.insert(Fixtures.endpoints("ghost"))
    let second = try #require(
      try Fixtures.decodeDelta(
        state.response(for: .endpoint, available: grown, force: false, limit: nil, now: now)))
    #expect(second.resources.map(\.name) == ["ghost"])
    #expect(second.removedResources.isEmpty)
  }

  @Test func resubscribingSendsAgainEvenIfTheClientHasIt() throws {
    var state = DeltaStreamState(controlPlaneIdentifier: "fw")
    _ = state.receive(Fixtures.deltaRequest(.cluster, subscribe: ["a"]), now: now)
    let set = ResourceSet(type: .cluster, resources: [Fixtures.cluster("a")])
    let first = try #require(
      try Fixtures.decodeDelta(
        state.response(for: .cluster, available: set, force: false, limit: nil, now: now)))
    let again = state.receive(
      Fixtures.deltaRequest(.cluster, subscribe: ["a"], nonce: first.nonce), now: now)
    #expect(again.verdict == .ack && again.respond)
    let second = try #require(
      try Fixtures.decodeDelta(
        state.response(for: .cluster, available: set, force: false, limit: nil, now: now)))
    #expect(second.resources.map(\.name) == ["a"])
  }

  @Test func initialResourceVersionsAreNotResent() throws {
    var state = DeltaStreamState(controlPlaneIdentifier: "fw")
    let a = Fixtures.cluster("a")
    let b = Fixtures.cluster("b", timeout: 5)
    _ = state.receive(
      Fixtures.deltaRequest(
        .cluster, initial: ["a": a.version, "b": "stale-version", "gone": "x"]), now: now)
    #expect(state.subscription(for: .cluster)?.wildcard == true)
    let set = ResourceSet(type: .cluster, resources: [a, b])
    let response = try #require(
      try Fixtures.decodeDelta(
        state.response(for: .cluster, available: set, force: false, limit: nil, now: now)))
    #expect(response.resources.map(\.name) == ["b"])
    #expect(response.removedResources == ["gone"])
  }

  @Test func unsubscribeStopsUpdatesAndStaleNonceStillCountsForSubscriptions() throws {
    var state = DeltaStreamState(controlPlaneIdentifier: "fw")
    _ = state.receive(Fixtures.deltaRequest(.route, subscribe: ["80", "90"]), now: now)
    let first = state.response(
      for: .route, available: ResourceSet(type: .route), force: false, limit: nil, now: now)
    #expect(try Fixtures.decodeDelta(first)?.removedResources == ["80", "90"])
    let stale = state.receive(
      Fixtures.deltaRequest(.route, unsubscribe: ["90"], nonce: "does-not-exist"), now: now)
    #expect(stale.verdict == .stale)
    #expect(state.subscription(for: .route)?.names == ["80"])
  }

  @Test func nackIsRecorded() throws {
    var state = DeltaStreamState(controlPlaneIdentifier: "fw")
    _ = state.receive(Fixtures.deltaRequest(.cluster, subscribe: ["a"]), now: now)
    let set = ResourceSet(type: .cluster, resources: [Fixtures.cluster("a")])
    let sent = try #require(
      try Fixtures.decodeDelta(
        state.response(for: .cluster, available: set, force: false, limit: nil, now: now)))
    let nack = state.receive(
      Fixtures.deltaRequest(.cluster, nonce: sent.nonce, error: "rejected"), now: now)
    #expect(nack.verdict == .nack("rejected") && !nack.respond)
    #expect(state.status(for: .cluster)?.state == .error)
    #expect(
      state.response(for: .cluster, available: set, force: false, limit: nil, now: now) == nil)
  }
}
