import FairwayProto
import FairwayResources
import Foundation
import GRPCCore
import GRPCInProcessTransport
import SwiftProtobuf
import Testing

@testable import FairwayXDS

/// The stream driver seen from a real grpc-swift-2 client over the in-process transport: the
/// order of a push's responses, EDS after CDS, make before break, and ACK/NACK in the status.
@Suite(.timeLimit(.minutes(1))) struct ADSStreamTests {
  typealias SotW = ADSConversation<SotWRequest, SotWResponse>
  typealias Delta = ADSConversation<DeltaRequest, DeltaResponse>
  /// A push is over when no response follows for this long; generous, since two shared cores
  /// may be busy building, and only the tests that push wait it out.
  static let quietWindow: Duration = .seconds(1)

  /// A SotW client as Envoy behaves: it repeats its subscription in every ACK.
  final class SotWClient {
    let stream: SotW
    var names: [XDSResourceType: [String]] = [:]
    var first = true

    init(_ stream: SotW) { self.stream = stream }

    func request(
      _ type: XDSResourceType, names: [String] = [], nonce: String = "", version: String = "",
      error: String? = nil
    ) {
      self.names[type] = names
      stream.send(
        Fixtures.sotwRequest(
          type, names: names, nonce: nonce, version: version, error: error,
          node: first ? MeshYAML.sidecar : nil))
      first = false
    }

    func ack(_ response: SotWResponse) {
      guard let type = XDSResourceType(typeURL: response.typeURL) else { return }
      request(
        type, names: names[type] ?? [], nonce: response.nonce, version: response.versionInfo)
    }

    /// Subscribes as Envoy does (CDS, EDS, LDS, RDS), acknowledging each response.
    func subscribe(routes: [String] = ["9080"]) async throws -> [XDSResourceType: SotWResponse] {
      var responses: [XDSResourceType: SotWResponse] = [:]
      let steps: [(XDSResourceType, [String])] = [
        (.cluster, []), (.endpoint, [MeshYAML.reviewsCluster, MeshYAML.reviewsV1]),
        (.listener, []), (.route, routes),
      ]
      for (type, names) in steps {
        request(type, names: names)
        let response = try await stream.next()
        #expect(response.typeURL == type.typeURL)
        responses[type] = response
        ack(response)
      }
      #expect(try await stream.unexpected().isEmpty)
      return responses
    }

    /// Every response until none arrives for a while, each acknowledged.
    func drain() async throws -> [SotWResponse] {
      var responses: [SotWResponse] = []
      while true {
        guard let response = try? await stream.next(timeout: ADSStreamTests.quietWindow) else {
          return responses
        }
        responses.append(response)
        ack(response)
      }
    }
  }

  static func types(_ responses: [SotWResponse]) -> [String] {
    responses.map { XDSResourceType(typeURL: $0.typeURL)?.shortName ?? $0.typeURL }
  }

  static func names(_ response: SotWResponse) -> Set<String> {
    Set(
      response.resources.compactMap { any in
        switch XDSResourceType(typeURL: response.typeURL) {
        case .cluster?:
          return try? Envoy_Config_Cluster_V3_Cluster(serializedBytes: any.value).name
        case .endpoint?:
          return try? Envoy_Config_Endpoint_V3_ClusterLoadAssignment(serializedBytes: any.value)
            .clusterName
        case .listener?:
          return try? Envoy_Config_Listener_V3_Listener(serializedBytes: any.value).name
        case .route?:
          return try? Envoy_Config_Route_V3_RouteConfiguration(serializedBytes: any.value).name
        default:
          return nil
        }
      })
  }

  /// Applies one batch and moves the clock past the debounce.
  static func push(_ harness: ADSHarness, _ yaml: String, changes: Int = 1) async throws {
    let pushes = harness.coordinator.recentPushes.count
    try await harness.apply(yaml, pending: changes)
    harness.clock.advance(by: .milliseconds(100))
    try await eventually { harness.coordinator.recentPushes.count == pushes + 1 }
  }

  @Test func aPushGoesOutAsCDSThenEDSThenLDSThenRDS() async throws {
    try await ADSHarness.withServer { harness, client in
      try await client.withSotWStream { stream in
        let proxy = SotWClient(stream)
        _ = try await proxy.subscribe(routes: ["9080", "9081"])
        // A new port: new clusters, a new listener and the route configuration "9081".
        try await Self.push(harness, MeshYAML.reviewsOnTwoPorts)
        let responses = try await proxy.drain()
        #expect(Self.types(responses) == ["cds", "eds", "lds", "rds"])
        #expect(responses.last.map(Self.names)?.contains("9081") == true)
      }
    }
  }

  /// Clusters finish warming only on a new EDS response, so one follows every CDS response,
  /// even with the same endpoints.
  @Test func endpointsAreResentAfterClustersChange() async throws {
    try await ADSHarness.withServer { harness, client in
      try await client.withSotWStream { stream in
        let proxy = SotWClient(stream)
        let before = try await proxy.subscribe()
        try await Self.push(harness, MeshYAML.reviewsRule("RANDOM"))
        let responses = try await proxy.drain()
        #expect(Self.types(responses) == ["cds", "eds"])
        let endpoints = try #require(responses.last)
        let previous = try #require(before[.endpoint])
        #expect(endpoints.nonce != previous.nonce)
        #expect(endpoints.resources == previous.resources, "the endpoints did not change")
      }
    }
  }

  @Test func anEndpointChangePushesOnlyEDS() async throws {
    try await ADSHarness.withServer { harness, client in
      try await client.withSotWStream { stream in
        let proxy = SotWClient(stream)
        _ = try await proxy.subscribe()
        try await Self.push(harness, MeshYAML.workload("reviews-3", "10.1.0.3"))
        let responses = try await proxy.drain()
        #expect(Self.types(responses) == ["eds"])
      }
    }
  }

  /// A removed cluster stays in the first CDS response, while routes still point at it, and
  /// goes in a last one, after the routes moved.
  @Test func removedClustersGoLastMakeBeforeBreak() async throws {
    try await ADSHarness.withServer { harness, client in
      try await client.withSotWStream { stream in
        let proxy = SotWClient(stream)
        _ = try await proxy.subscribe()
        let v3 = MeshYAML.reviewsV1.replacingOccurrences(of: "|v1|", with: "|v3|")
        try await Self.push(harness, MeshYAML.moveToV3, changes: 2)
        let responses = try await proxy.drain()
        let types = Self.types(responses)
        #expect(types.first == "cds" && types.last == "cds", "\(types)")
        let routes = try #require(types.firstIndex(of: "rds"), "\(types)")
        #expect(routes < types.count - 1)
        let (first, last) = (Self.names(responses[0]), Self.names(responses[types.count - 1]))
        #expect(first.contains(v3) && first.contains(MeshYAML.reviewsV1))
        #expect(last.contains(v3) && !last.contains(MeshYAML.reviewsV1))
      }
    }
  }

  @Test func acksAndNacksShowInTheStreamStatus() async throws {
    try await ADSHarness.withServer { harness, client in
      try await client.withSotWStream { stream in
        let proxy = SotWClient(stream)
        proxy.request(.cluster)
        let first = try await stream.next()
        proxy.request(.cluster, nonce: first.nonce, error: "cluster rejected: test")
        func status() -> TypeSyncStatus? {
          harness.service.registry.all.first?.snapshot.status[.cluster]
        }
        try await eventually { status()?.state == .error }
        #expect(status()?.lastError?.message == "cluster rejected: test")
        #expect(status()?.nackCount == 1)
        // Never resent after a NACK until the config changes.
        #expect(try await stream.unexpected().isEmpty)

        try await Self.push(harness, MeshYAML.reviewsRule("RANDOM"))
        let second = try await stream.next()
        try await eventually { status()?.sentNonce == second.nonce }
        #expect(status()?.state == .stale)
        proxy.ack(second)
        try await eventually { status()?.state == .synced }
        #expect(status()?.ackedNonce == second.nonce)
        #expect(status()?.ackedVersion == second.versionInfo)
      }
    }
  }

  // MARK: Delta

  /// Subscribes a Delta stream as Envoy does, acknowledging each response.
  static func subscribe(_ stream: Delta, routes: [String] = ["9080"]) async throws {
    let steps: [(XDSResourceType, [String])] = [
      (.cluster, []), (.endpoint, [MeshYAML.reviewsCluster, MeshYAML.reviewsV1]),
      (.listener, []), (.route, routes),
    ]
    for (index, (type, names)) in steps.enumerated() {
      var request = Fixtures.deltaRequest(type, subscribe: names)
      if index == 0 { request.node.id = MeshYAML.sidecar }
      stream.send(request)
      let response = try await stream.next()
      #expect(response.typeURL == type.typeURL)
      stream.send(Fixtures.deltaRequest(type, nonce: response.nonce))
    }
    #expect(try await stream.unexpected().isEmpty)
  }

  static func drain(_ stream: Delta) async throws -> [DeltaResponse] {
    var responses: [DeltaResponse] = []
    while let response = try? await stream.next(timeout: Self.quietWindow) {
      responses.append(response)
      if let type = XDSResourceType(typeURL: response.typeURL) {
        stream.send(Fixtures.deltaRequest(type, nonce: response.nonce))
      }
    }
    return responses
  }

  @Test func deltaPushGoesOutAsCDSThenEDSThenLDSThenRDS() async throws {
    try await ADSHarness.withServer { harness, client in
      try await client.withDeltaStream { stream in
        try await Self.subscribe(stream, routes: ["9080", "9081"])
        try await Self.push(harness, MeshYAML.reviewsOnTwoPorts)
        let responses = try await Self.drain(stream)
        let types = responses.map { XDSResourceType(typeURL: $0.typeURL)?.shortName ?? "?" }
        #expect(types == ["cds", "eds", "lds", "rds"])
        #expect(responses.last.map { $0.resources.map(\.name).contains("9081") } == true)
      }
    }
  }

  /// A Delta Envoy sidecar takes its routes by VHDS (on demand): Envoy's wildcard start, then
  /// the host it calls, as the on-demand filter asks for it.
  static func subscribeVirtualHosts(_ stream: Delta) async throws {
    for names in [[], ["9080/reviews.default.svc.cluster.local:9080"]] {
      stream.send(Fixtures.deltaRequest(.virtualHost, subscribe: names))
      let response = try await stream.next()
      #expect(response.typeURL == XDSResourceType.virtualHost.typeURL)
      stream.send(Fixtures.deltaRequest(.virtualHost, nonce: response.nonce))
    }
    #expect(try await stream.unexpected().isEmpty)
  }

  /// Each widening of a VHDS subscription is answered with the new host, named as asked (the
  /// stream keeps the names it asks the translation for until its subscription changes), and
  /// a push after it still reaches every host held.
  @Test func aWideningVHDSSubscriptionGetsEachNewHost() async throws {
    try await ADSHarness.withServer { harness, client in
      try await client.withDeltaStream { stream in
        try await Self.subscribe(stream)
        try await Self.subscribeVirtualHosts(stream)
        for alias in ["9080/reviews.default.svc.cluster.local", "9080/reviews.default"] {
          stream.send(Fixtures.deltaRequest(.virtualHost, subscribe: [alias]))
          let response = try await stream.next()
          #expect(response.resources.map(\.name) == [alias])
          stream.send(Fixtures.deltaRequest(.virtualHost, nonce: response.nonce))
        }
        try await Self.push(harness, MeshYAML.moveToV3, changes: 2)
        let hosts = try await Self.drain(stream).filter {
          $0.typeURL == XDSResourceType.virtualHost.typeURL
        }
        #expect(
          Set(hosts.flatMap { $0.resources.map(\.name) }) == [
            "9080/reviews.default.svc.cluster.local:9080",
            "9080/reviews.default.svc.cluster.local", "9080/reviews.default",
          ])
      }
    }
  }

  @Test func deltaRemovesAClusterOnlyAfterTheRoutesMoved() async throws {
    try await ADSHarness.withServer { harness, client in
      try await client.withDeltaStream { stream in
        try await Self.subscribe(stream)
        try await Self.subscribeVirtualHosts(stream)
        try await Self.push(harness, MeshYAML.moveToV3, changes: 2)
        let responses = try await Self.drain(stream)
        let types = responses.map { XDSResourceType(typeURL: $0.typeURL)?.shortName ?? "?" }
        #expect(types.first == "cds" && types.last == "cds", "\(types)")
        // The routes move by VHDS: the changed virtual host goes before the last CDS.
        #expect(!types.contains("rds"), "\(types)")
        let routes = try #require(types.firstIndex(of: "vhds"), "\(types)")
        #expect(routes < types.count - 1)
        let v3 = MeshYAML.reviewsV1.replacingOccurrences(of: "|v1|", with: "|v3|")
        #expect(responses.first.map { $0.resources.map(\.name).contains(v3) } == true)
        #expect(responses.first?.removedResources.contains(MeshYAML.reviewsV1) == false)
        #expect(responses.last?.removedResources == [MeshYAML.reviewsV1])
      }
    }
  }
}
