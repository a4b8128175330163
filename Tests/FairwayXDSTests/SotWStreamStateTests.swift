import FairwayProto
import FairwayResources
import Foundation
import SwiftProtobuf
import Testing

@testable import FairwayXDS

@Suite struct SotWStreamStateTests {
  let now = Date(timeIntervalSince1970: 1_800_000_000)

  @Test func wildcardClustersAreSentOnceAndAckedWithoutResend() throws {
    var state = SotWStreamState(controlPlaneIdentifier: "fw")
    let available = ResourceSet(
      type: .cluster, resources: [Fixtures.cluster("a"), Fixtures.cluster("b")])
    let first = state.receive(
      Fixtures.sotwRequest(.cluster, node: "sidecar~1.1.1.1~a.ns~ns.svc.cluster.local"), now: now)
    #expect(first.verdict == .initial && first.respond)
    #expect(state.node?.id == "sidecar~1.1.1.1~a.ns~ns.svc.cluster.local")
    let response = try #require(
      try Fixtures.decodeSotW(
        state.response(for: .cluster, available: available, force: true, limit: nil, now: now)))
    #expect(
      response.resources.map(\.typeURL) == [
        XDSResourceType.cluster.typeURL, XDSResourceType.cluster.typeURL,
      ])
    let names = try response.resources.map {
      try Envoy_Config_Cluster_V3_Cluster(unpackingAny: $0).name
    }
    #expect(names == ["a", "b"])
    #expect(response.controlPlane.identifier == "fw")
    #expect(response.typeURL == XDSResourceType.cluster.typeURL)

    let ack = state.receive(
      Fixtures.sotwRequest(.cluster, nonce: response.nonce, version: response.versionInfo), now: now
    )
    #expect(ack.verdict == .ack && !ack.respond)
    #expect(state.status(for: .cluster)?.state == .synced)
    // Nothing changed: a push produces nothing.
    #expect(
      state.response(for: .cluster, available: available, force: false, limit: nil, now: now) == nil
    )
    // A change produces the full set (LDS/CDS are state of the world).
    let changed = ResourceSet(type: .cluster, resources: [Fixtures.cluster("a", timeout: 9)])
    let update = try #require(
      try Fixtures.decodeSotW(
        state.response(for: .cluster, available: changed, force: false, limit: nil, now: now)))
    #expect(update.resources.count == 1)
    #expect(update.versionInfo != response.versionInfo)
    #expect(update.nonce != response.nonce)
  }

  @Test func nackIsRecordedAndTheRejectedConfigIsNotResent() throws {
    var state = SotWStreamState(controlPlaneIdentifier: "fw")
    _ = state.receive(Fixtures.sotwRequest(.cluster), now: now)
    let bad = ResourceSet(type: .cluster, resources: [Fixtures.cluster("bad")])
    let sent = try #require(
      try Fixtures.decodeSotW(
        state.response(for: .cluster, available: bad, force: true, limit: nil, now: now)))
    let nack = state.receive(
      Fixtures.sotwRequest(.cluster, nonce: sent.nonce, version: "", error: "cluster bad: invalid"),
      now: now)
    #expect(nack.verdict == .nack("cluster bad: invalid"))
    #expect(!nack.respond)
    let status = try #require(state.status(for: .cluster))
    #expect(status.state == .error)
    #expect(status.lastError?.message == "cluster bad: invalid")
    #expect(status.nackCount == 1)
    // Same config again (a push for an unrelated change): no resend loop.
    #expect(
      state.response(for: .cluster, available: bad, force: false, limit: nil, now: now) == nil)
    // Config changes: sent again.
    let fixed = ResourceSet(type: .cluster, resources: [Fixtures.cluster("good")])
    #expect(
      state.response(for: .cluster, available: fixed, force: false, limit: nil, now: now) != nil)
  }

  @Test func staleNonceIsIgnored() throws {
    var state = SotWStreamState(controlPlaneIdentifier: "fw")
    _ = state.receive(Fixtures.sotwRequest(.endpoint, names: ["a"]), now: now)
    let set = ResourceSet(
      type: .endpoint, resources: [Fixtures.endpoints("a"), Fixtures.endpoints("b")])
    let first = try #require(
      try Fixtures.decodeSotW(
        state.response(for: .endpoint, available: set, force: true, limit: nil, now: now)))
    _ = try #require(
      try Fixtures.decodeSotW(
        state.response(
          for: .endpoint,
          available: ResourceSet(type: .endpoint, resources: [Fixtures.endpoints("a", port: 81)]),
          force: false, limit: nil, now: now)))
    // The client answers the first response late, asking for more names: stale, ignored.
    let stale = state.receive(
      Fixtures.sotwRequest(.endpoint, names: ["a", "b"], nonce: first.nonce), now: now)
    #expect(stale.verdict == .stale && !stale.respond)
    #expect(state.subscription(for: .endpoint)?.names == ["a"])
    #expect(state.status(for: .endpoint)?.staleNonceCount == 1)
  }

  @Test func namedSubscriptionsSendOnlyExistingNamesAndLaterCreations() throws {
    var state = SotWStreamState(controlPlaneIdentifier: "fw")
    let outcome = state.receive(Fixtures.sotwRequest(.endpoint, names: ["a", "later"]), now: now)
    #expect(outcome.respond)
    let set = ResourceSet(
      type: .endpoint, resources: [Fixtures.endpoints("a"), Fixtures.endpoints("unrelated")])
    let first = try #require(
      try Fixtures.decodeSotW(
        state.response(for: .endpoint, available: set, force: true, limit: nil, now: now)))
    let names = try first.resources.map {
      try Envoy_Config_Endpoint_V3_ClusterLoadAssignment(unpackingAny: $0).clusterName
    }
    #expect(names == ["a"])
    _ = state.receive(
      Fixtures.sotwRequest(.endpoint, names: ["a", "later"], nonce: first.nonce), now: now)
    // "later" appears: only it is sent (EDS responses may carry a subset).
    var grown = set
    grown.insert(Fixtures.endpoints("later"))
    let second = try #require(
      try Fixtures.decodeSotW(
        state.response(for: .endpoint, available: grown, force: false, limit: nil, now: now)))
    let secondNames = try second.resources.map {
      try Envoy_Config_Endpoint_V3_ClusterLoadAssignment(unpackingAny: $0).clusterName
    }
    #expect(secondNames == ["later"])
    // A push limited to other clusters sends nothing.
    var changedA = grown
    changedA.insert(Fixtures.endpoints("a", port: 99))
    #expect(
      state.response(
        for: .endpoint, available: changedA, force: false, limit: ["unrelated"], now: now) == nil)
    #expect(
      state.response(for: .endpoint, available: changedA, force: false, limit: ["a"], now: now)
        != nil)
  }

  @Test func listenerNamesTurnLegacyWildcardOffAndStarTurnsItOn() {
    var state = SotWStreamState(controlPlaneIdentifier: "fw")
    _ = state.receive(Fixtures.sotwRequest(.listener), now: now)
    #expect(state.subscription(for: .listener)?.wildcard == true)
    var grpc = SotWStreamState(controlPlaneIdentifier: "fw")
    _ = grpc.receive(Fixtures.sotwRequest(.listener, names: ["svc:80"]), now: now)
    #expect(grpc.subscription(for: .listener)?.wildcard == false)
    _ = grpc.receive(Fixtures.sotwRequest(.listener, names: ["*", "svc:80"]), now: now)
    #expect(grpc.subscription(for: .listener)?.wildcard == true)
    // EDS can never be wildcard.
    var eds = SotWStreamState(controlPlaneIdentifier: "fw")
    _ = eds.receive(Fixtures.sotwRequest(.endpoint), now: now)
    #expect(eds.subscription(for: .endpoint)?.wildcard == false)
  }
}
