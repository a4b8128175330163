import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayTranslate
import Testing

@Suite struct EndpointTranslationTests {
  typealias Assignment = Envoy_Config_Endpoint_V3_ClusterLoadAssignment

  func assignment(_ translator: MeshTranslator, _ name: String, proxy: Proxy = Meshes.envoy)
    throws -> Assignment
  {
    let set = translator.resources(for: proxy, type: .endpoint, requestedNames: [name])
    return try Meshes.decode(Assignment.self, set[name])
  }

  @Test func groupsByLocalityWithSummedWeights() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let all = try assignment(translator, "outbound|9080||reviews.default.svc.cluster.local")
    #expect(all.clusterName == "outbound|9080||reviews.default.svc.cluster.local")
    #expect(all.endpoints.count == 2)
    let zoneA = try #require(all.endpoints.first { $0.locality.zone == "zone-a" })
    #expect(zoneA.locality.region == "us-east")
    #expect(zoneA.loadBalancingWeight.value == 4)
    #expect(
      zoneA.lbEndpoints.map(\.endpoint.address.socketAddress.address) == ["10.1.0.1", "10.1.0.2"])
    #expect(zoneA.lbEndpoints.map(\.loadBalancingWeight.value) == [1, 3])
    #expect(zoneA.lbEndpoints.allSatisfy { $0.endpoint.address.socketAddress.portValue == 9080 })
    #expect(zoneA.lbEndpoints.allSatisfy { $0.healthStatus == .healthy })
    let zoneB = try #require(all.endpoints.first { $0.locality.zone == "zone-b" })
    #expect(zoneB.loadBalancingWeight.value == 1)
  }

  @Test func subsetsFilterByLabels() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let v2 = try assignment(translator, "outbound|9080|v2|reviews.default.svc.cluster.local")
    #expect(
      v2.endpoints.flatMap(\.lbEndpoints).map(\.endpoint.address.socketAddress.address) == [
        "10.1.0.2"
      ])
  }

  @Test func subZonesAndPortMapping() throws {
    let translator = try Meshes.translator(
      Meshes.localities + """

        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: mapped, namespace: shop}
        spec:
          hosts: [mapped.shop.svc.cluster.local]
          resolution: STATIC
          ports:
          - {number: 80, name: http, targetPort: 8080}
          - {number: 81, name: http-alt}
          endpoints:
          - {address: 10.6.0.1, ports: {http-alt: 9191}}
        """)
    let shop = Proxy(id: "sidecar~10.0.0.1~a.shop~shop.svc.cluster.local", namespace: "shop")
    let catalog = try assignment(
      translator, "outbound|50051||catalog.shop.svc.cluster.local", proxy: shop)
    #expect(catalog.endpoints.count == 3)
    let rack = try #require(catalog.endpoints.first { $0.locality.subZone == "rack1" })
    #expect(rack.loadBalancingWeight.value == 5)
    #expect(catalog.endpoints.map(\.loadBalancingWeight.value).sorted() == [1, 5, 10])
    let mapped80 = try assignment(
      translator, "outbound|80||mapped.shop.svc.cluster.local", proxy: shop)
    #expect(
      mapped80.endpoints.first?.lbEndpoints.first?.endpoint.address.socketAddress.portValue == 8080)
    let mapped81 = try assignment(
      translator, "outbound|81||mapped.shop.svc.cluster.local", proxy: shop)
    #expect(
      mapped81.endpoints.first?.lbEndpoints.first?.endpoint.address.socketAddress.portValue == 9191)
  }

  @Test func grpcGetsOnlyIPEndpoints() throws {
    let translator = try Meshes.translator(
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: mixed, namespace: default}
      spec:
        hosts: [mixed.default.svc.cluster.local]
        resolution: STATIC
        ports: [{number: 80, name: http}]
        endpoints:
        - {address: 10.7.0.1}
        - {address: "unix:///var/run/app.sock"}
      """)
    let name = "outbound|80||mixed.default.svc.cluster.local"
    let envoy = try assignment(translator, name)
    #expect(envoy.endpoints.flatMap(\.lbEndpoints).count == 2)
    let grpc = try assignment(translator, name, proxy: Meshes.grpc)
    let addresses = grpc.endpoints.flatMap(\.lbEndpoints).map(
      \.endpoint.address.socketAddress.address)
    #expect(addresses == ["10.7.0.1"])
    #expect(
      grpc.endpoints.allSatisfy { $0.hasLoadBalancingWeight && $0.loadBalancingWeight.value > 0 })
  }

  @Test func emptyServiceStillHasAnAssignment() throws {
    let translator = try Meshes.translator(
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: empty, namespace: default}
      spec:
        hosts: [empty.default.svc.cluster.local]
        resolution: STATIC
        ports: [{number: 80, name: http}]
        workloadSelector: {labels: {app: nothing-yet}}
      """)
    let empty = try assignment(translator, "outbound|80||empty.default.svc.cluster.local")
    #expect(empty.endpoints.isEmpty)
  }
}
