import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayTranslate
import Foundation
import Testing

@Suite struct TranslatorCacheTests {
  @Test func sameInputsGiveByteIdenticalOutput() throws {
    let a = try Meshes.translator(Meshes.bookinfo + "\n---\n" + Meshes.external)
    let b = try Meshes.translator(Meshes.bookinfo + "\n---\n" + Meshes.external)
    for type in [XDSResourceType.cluster, .endpoint, .listener, .route] {
      let left = a.resources(for: Meshes.envoy, type: type, requestedNames: nil)
      let right = b.resources(for: Meshes.envoy, type: type, requestedNames: nil)
      #expect(left == right)
      #expect(left.version == right.version)
    }
  }

  @Test func sharedResourcesAreEncodedOnce() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    var other = Meshes.envoy
    other.id = "sidecar~10.0.0.10~details-v1.default~default.svc.cluster.local"
    other.ipAddresses = ["10.0.0.10"]
    other.labels = ["app": "details"]
    let name = "outbound|9080||reviews.default.svc.cluster.local"
    let first = translator.resources(for: Meshes.envoy, type: .cluster, requestedNames: nil)[name]
    let second = translator.resources(for: other, type: .cluster, requestedNames: nil)[name]
    // Same storage, not merely equal bytes: the array buffer is shared.
    let firstBase = first?.anyBytes.withUnsafeBufferPointer { $0.baseAddress }
    let secondBase = second?.anyBytes.withUnsafeBufferPointer { $0.baseAddress }
    #expect(firstBase != nil && firstBase == secondBase)
    let grpcEDS = translator.resources(for: Meshes.grpc, type: .endpoint, requestedNames: [name])[
      name]
    let envoyEDS = translator.resources(for: Meshes.envoy, type: .endpoint, requestedNames: [name])[
      name]
    #expect(
      grpcEDS?.anyBytes.withUnsafeBufferPointer { $0.baseAddress }
        == envoyEDS?.anyBytes.withUnsafeBufferPointer { $0.baseAddress })
  }

  @Test func podsOfOneNamespaceShareOutboundListenersAndRoutes() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let a = Proxy(
      id: "sidecar~10.1.0.1~reviews-v1.default~default.svc.cluster.local",
      ipAddresses: ["10.1.0.1"], labels: ["app": "reviews", "version": "v1"])
    let b = Proxy(
      id: "sidecar~10.0.0.42~details.default~default.svc.cluster.local",
      ipAddresses: ["10.0.0.42"], labels: ["app": "details"])
    #expect(a.view != b.view)
    for (type, name) in [(XDSResourceType.route, "9080"), (.listener, "0.0.0.0_9080")] {
      let left = translator.resources(for: a, type: type, requestedNames: nil)[name]
      let right = translator.resources(for: b, type: type, requestedNames: nil)[name]
      #expect(
        left?.anyBytes.withUnsafeBufferPointer { $0.baseAddress }
          == right?.anyBytes.withUnsafeBufferPointer { $0.baseAddress }, "\(type)")
    }
    // Their own halves still differ: only the reviews pod serves port 9080.
    func inboundChains(_ proxy: Proxy) throws -> [String] {
      let listener = try Meshes.decode(
        Envoy_Config_Listener_V3_Listener.self,
        translator.resources(for: proxy, type: .listener, requestedNames: ["virtualInbound"])[
          "virtualInbound"])
      return listener.filterChains.map(\.name)
    }
    #expect(try inboundChains(a) == ["inbound|9080||"])
    #expect(try inboundChains(b).isEmpty)
  }

  /// A gRPC client's listeners and route configs by name do not depend on its pod: clients
  /// in other pods calling the same service get the same encoded resource (same storage).
  @Test func grpcClientsOfOneNamespaceShareNamedListenersAndRoutes() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let other = Proxy(
      id: "sidecar~10.0.0.99~caller.default~default.svc.cluster.local", client: .grpc,
      ipAddresses: ["10.0.0.99"], namespace: "default", labels: ["app": "caller"])
    #expect(other.view != Meshes.grpc.view)
    let name = "reviews.default.svc.cluster.local:9080"
    for type in [XDSResourceType.listener, .route] {
      let left = translator.resources(for: Meshes.grpc, type: type, requestedNames: [name])[name]
      let right = translator.resources(for: other, type: type, requestedNames: [name])[name]
      let leftBase = left?.anyBytes.withUnsafeBufferPointer { $0.baseAddress }
      #expect(
        leftBase != nil && leftBase == right?.anyBytes.withUnsafeBufferPointer { $0.baseAddress },
        "\(type)")
    }
  }

  @Test func sourceLabelsKeepRoutesApart() throws {
    let translator = try Meshes.translator(
      Meshes.bookinfo + """

        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: ratings, namespace: default}
        spec:
          hosts: [ratings]
          http:
          - match: [{sourceLabels: {app: reviews}}]
            route: [{destination: {host: ratings}}]
            timeout: 1s
          - route: [{destination: {host: ratings}}]
        """)
    let reviews = Proxy(id: "a", ipAddresses: ["10.1.0.1"], labels: ["app": "reviews"])
    let other = Proxy(id: "b", ipAddresses: ["10.0.0.42"], labels: ["app": "details"])
    func ratingsRoutes(_ proxy: Proxy) throws -> Int {
      let config = try Meshes.decode(
        Envoy_Config_Route_V3_RouteConfiguration.self,
        translator.resources(for: proxy, type: .route, requestedNames: ["9080"])["9080"])
      return config.virtualHosts.first { $0.name == "ratings.default.svc.cluster.local:9080" }?
        .routes.count ?? -1
    }
    #expect(try ratingsRoutes(reviews) == 2)
    #expect(try ratingsRoutes(other) == 1)
  }

  @Test func incrementalEDSReusesUnchangedAssignments() throws {
    let before = try Meshes.translator(Meshes.bookinfo)
    _ = before.resources(for: Meshes.envoy, type: .endpoint, requestedNames: nil)
    let changed = Meshes.bookinfo.replacingOccurrences(
      of: "address: 10.1.0.3", with: "address: 10.1.0.33")
    let after = try Meshes.translation(
      updating: before, with: .snapshot(try Meshes.snapshot(changed, revision: 2), changed: nil))
    #expect(after.revision == 2)
    let delta = after.changedEndpointClusters(since: before)
    #expect(
      delta == [
        "outbound|9080||reviews.default.svc.cluster.local",
        "outbound|9080|v3|reviews.default.svc.cluster.local",
      ])
    let ratings = "outbound|9080||ratings.default.svc.cluster.local"
    let old = before.resources(for: Meshes.envoy, type: .endpoint, requestedNames: [ratings])[
      ratings]
    let new = after.resources(for: Meshes.envoy, type: .endpoint, requestedNames: [ratings])[
      ratings]
    #expect(
      old?.anyBytes.withUnsafeBufferPointer { $0.baseAddress }
        == new?.anyBytes.withUnsafeBufferPointer { $0.baseAddress })
    let v3 = "outbound|9080|v3|reviews.default.svc.cluster.local"
    let newV3 = try Meshes.decode(
      Envoy_Config_Endpoint_V3_ClusterLoadAssignment.self,
      after.resources(for: Meshes.envoy, type: .endpoint, requestedNames: [v3])[v3])
    #expect(
      newV3.endpoints.first?.lbEndpoints.first?.endpoint.address.socketAddress.address
        == "10.1.0.33")
  }

  @Test func removedClustersCountAsChanged() throws {
    let before = try Meshes.translator(Meshes.bookinfo)
    let after = try Meshes.translator(Meshes.external)
    let delta = after.changedEndpointClusters(since: before)
    #expect(delta.contains("outbound|9080||ratings.default.svc.cluster.local"))
    #expect(after.changedEndpointClusters(since: after).isEmpty)
  }

  @Test func concurrentProxiesGetConsistentResults() async throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let versions = await withTaskGroup(of: String.self) { group in
      for index in 0..<32 {
        group.addTask {
          var proxy = Meshes.envoy
          proxy.id = "sidecar~10.0.0.9~p\(index).default~default.svc.cluster.local"
          return translator.resources(for: proxy, type: .cluster, requestedNames: nil).version
        }
      }
      var all: Set<String> = []
      for await version in group { all.insert(version) }
      return all
    }
    #expect(versions.count == 1)
  }

  @Test func configDumpIsEnvoyShapedJSON() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let json = translator.configDump(for: Meshes.envoy).jsonString()
    let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
    let configs = try #require(object?["configs"] as? [[String: Any]])
    #expect(
      configs.map { $0["@type"] as? String } == [
        "type.googleapis.com/envoy.admin.v3.ClustersConfigDump",
        "type.googleapis.com/envoy.admin.v3.EndpointsConfigDump",
        "type.googleapis.com/envoy.admin.v3.ListenersConfigDump",
        "type.googleapis.com/envoy.admin.v3.RoutesConfigDump",
      ])
    let clusters = try #require(configs[0]["dynamic_active_clusters"] as? [[String: Any]])
    let names = clusters.compactMap { ($0["cluster"] as? [String: Any])?["name"] as? String }
    #expect(names.contains("outbound|9080|v1|reviews.default.svc.cluster.local"))
    #expect(json.contains("\"route_config_name\":\"9080\""))
    #expect(
      json.contains(
        "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
      ))
  }
}
