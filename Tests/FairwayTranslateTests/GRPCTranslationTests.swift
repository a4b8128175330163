import FairwayMesh
import FairwayProto
import FairwayTranslate
import SwiftProtobuf
import Testing

@Suite struct GRPCTranslationTests {
  typealias Listener = Envoy_Config_Listener_V3_Listener
  typealias HCM = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager

  @Test func apiListenerNamedExactlyAsDialled() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let target = "reviews.default.svc.cluster.local:9080"
    let set = translator.resources(
      for: Meshes.grpc, type: .listener, requestedNames: [target, "nope:1"])
    #expect(set.names == [target])
    let listener = try Meshes.decode(Listener.self, set[target])
    #expect(
      listener.apiListener.apiListener.typeURL
        == "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
    )
    let hcm = try HCM(serializedBytes: listener.apiListener.apiListener.value)
    #expect(hcm.rds.routeConfigName == target)
    #expect(hcm.rds.configSource.ads == Envoy_Config_Core_V3_AggregatedConfigSource())
    #expect(hcm.httpFilters.map(\.name) == ["envoy.filters.http.router"])
  }

  @Test func routeConfigForTheTarget() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let target = "reviews:9080"
    let listeners = translator.resources(
      for: Meshes.grpc, type: .listener, requestedNames: [target])
    #expect(listeners.names == [target])
    let routes = translator.resources(for: Meshes.grpc, type: .route, requestedNames: [target])
    let config = try Meshes.decode(Envoy_Config_Route_V3_RouteConfiguration.self, routes[target])
    let host = try #require(config.virtualHosts.first)
    #expect(host.domains.contains(target))
    #expect(host.domains.contains("reviews.default.svc.cluster.local:9080"))
    #expect(host.routes.count == 2)
    for route in host.routes {
      #expect(route.match.pathSpecifier != nil)
      #expect(!route.route.hasRetryPolicy)
      #expect(route.match.queryParameters.isEmpty)
    }
    #expect(host.routes[1].route.weightedClusters.clusters.allSatisfy { $0.weight.value > 0 })
    #expect(host.routes[1].route.maxStreamDuration.maxStreamDuration.seconds == 5)
  }

  @Test func queryParameterAndRedirectRoutesAreLeftOut() throws {
    let translator = try Meshes.translator(
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: echo, namespace: default}
      spec:
        hosts: [echo.default.svc.cluster.local]
        resolution: STATIC
        ports: [{number: 7070, name: grpc, protocol: GRPC}]
        endpoints: [{address: 10.11.0.1}]
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: echo, namespace: default}
      spec:
        hosts: [echo]
        http:
        - match: [{queryParams: {debug: {exact: "1"}}}]
          route: [{destination: {host: echo}}]
        - match: [{uri: {prefix: /old}}]
          redirect: {uri: /new}
        - fault: {abort: {grpcStatus: UNAVAILABLE, percentage: {value: 50}}}
          route: [{destination: {host: echo}}]
      """)
    let target = "echo.default.svc.cluster.local:7070"
    let routes = translator.resources(for: Meshes.grpc, type: .route, requestedNames: [target])
    let config = try Meshes.decode(Envoy_Config_Route_V3_RouteConfiguration.self, routes[target])
    let host = try #require(config.virtualHosts.first)
    #expect(host.routes.count == 1)
    let any = try #require(host.routes[0].typedPerFilterConfig["envoy.filters.http.fault"])
    let fault = try Envoy_Extensions_Filters_Http_Fault_V3_HTTPFault(serializedBytes: any.value)
    #expect(fault.abort.grpcStatus == 14)
    let listeners = translator.resources(
      for: Meshes.grpc, type: .listener, requestedNames: [target])
    let listener = try Meshes.decode(Listener.self, listeners[target])
    let hcm = try HCM(serializedBytes: listener.apiListener.apiListener.value)
    #expect(
      hcm.httpFilters.map(\.name) == ["envoy.filters.http.fault", "envoy.filters.http.router"])
  }
}
