import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayTranslate
import SwiftProtobuf
import Testing

@Suite struct ListenerTranslationTests {
  typealias Listener = Envoy_Config_Listener_V3_Listener
  typealias HCM = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager
  typealias TcpProxy = Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy

  func listeners(_ translator: MeshTranslator, proxy: Proxy = Meshes.envoy) -> ResourceSet {
    translator.resources(for: proxy, type: .listener, requestedNames: nil)
  }

  @Test func httpPortsGetRDSListeners() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let set = listeners(translator)
    #expect(set.names == ["0.0.0.0_9080", "virtualInbound", "virtualOutbound"])
    let listener = try Meshes.decode(Listener.self, set["0.0.0.0_9080"])
    #expect(listener.address.socketAddress.address == "0.0.0.0")
    #expect(listener.address.socketAddress.portValue == 9080)
    #expect(listener.trafficDirection == .outbound)
    #expect(listener.bindToPort.value == false)
    let filter = try #require(listener.filterChains.first?.filters.first)
    #expect(filter.name == "envoy.filters.network.http_connection_manager")
    let hcm = try HCM(serializedBytes: filter.typedConfig.value)
    #expect(hcm.rds.routeConfigName == "9080")
    #expect(hcm.rds.configSource.ads == Envoy_Config_Core_V3_AggregatedConfigSource())
    #expect(hcm.rds.configSource.resourceApiVersion == .v3)
    #expect(hcm.httpFilters.map(\.name) == ["envoy.filters.http.router"])
    #expect(
      hcm.httpFilters.last?.typedConfig.typeURL
        == "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router")
  }

  @Test func virtualOutboundUsesOriginalDestination() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let listener = try Meshes.decode(Listener.self, listeners(translator)["virtualOutbound"])
    #expect(listener.address.socketAddress.portValue == 15001)
    #expect(listener.useOriginalDst.value)
    #expect(listener.listenerFilters.first?.name == "envoy.filters.listener.original_dst")
    let proxy = try TcpProxy(serializedBytes: listener.filterChains[0].filters[0].typedConfig.value)
    #expect(proxy.cluster == "PassthroughCluster")
  }

  @Test func tcpPortsProxyToTheCluster() throws {
    let translator = try Meshes.translator(Meshes.external)
    let set = listeners(translator)
    #expect(set.names.contains("10.50.0.10_5432"))
    #expect(set.names.contains("0.0.0.0_443"))
    #expect(set.names.contains("0.0.0.0_80"))
    let db = try Meshes.decode(Listener.self, set["10.50.0.10_5432"])
    let proxy = try TcpProxy(serializedBytes: db.filterChains[0].filters[0].typedConfig.value)
    #expect(proxy.cluster == "outbound|5432||db.example.internal")
    #expect(proxy.statPrefix == "outbound|5432||db.example.internal")
  }

  @Test func tcpRouteSplitsByWeight() throws {
    let translator = try Meshes.translator(
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: mq, namespace: default}
      spec:
        hosts: [mq.default.svc.cluster.local]
        resolution: STATIC
        ports: [{number: 5672, name: tcp-amqp, protocol: TCP}]
        endpoints: [{address: 10.9.0.1, labels: {v: a}}, {address: 10.9.0.2, labels: {v: b}}]
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: mq, namespace: default}
      spec:
        host: mq
        subsets: [{name: a, labels: {v: a}}, {name: b, labels: {v: b}}]
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: mq, namespace: default}
      spec:
        hosts: [mq]
        tcp:
        - match: [{port: 5672}]
          route:
          - {destination: {host: mq, subset: a}, weight: 80}
          - {destination: {host: mq, subset: b}, weight: 20}
      """)
    let listener = try Meshes.decode(Listener.self, listeners(translator)["0.0.0.0_5672"])
    let proxy = try TcpProxy(serializedBytes: listener.filterChains[0].filters[0].typedConfig.value)
    #expect(
      proxy.weightedClusters.clusters.map(\.name) == [
        "outbound|5672|a|mq.default.svc.cluster.local",
        "outbound|5672|b|mq.default.svc.cluster.local",
      ])
    #expect(proxy.weightedClusters.clusters.map(\.weight) == [80, 20])
  }

  @Test func inboundListenerAndClusterForTheProxysWorkload() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let reviewsPod = Proxy(
      id: "sidecar~10.1.0.2~reviews-v2.default~default.svc.cluster.local",
      ipAddresses: ["10.1.0.2"], namespace: "default", labels: ["app": "reviews", "version": "v2"])
    let clusters = translator.resources(for: reviewsPod, type: .cluster, requestedNames: nil)
    let inbound = try Meshes.decode(
      Envoy_Config_Cluster_V3_Cluster.self, clusters["inbound|9080||"])
    #expect(inbound.type == .static)
    let address = inbound.loadAssignment.endpoints.first?.lbEndpoints.first?.endpoint.address
      .socketAddress
    #expect(address?.address == "127.0.0.1")
    #expect(address?.portValue == 9080)
    let set = listeners(translator, proxy: reviewsPod)
    #expect(!set.names.contains("inbound|9080||"))
    let virtualInbound = try Meshes.decode(Listener.self, set["virtualInbound"])
    #expect(virtualInbound.address.socketAddress.portValue == 15006)
    #expect(virtualInbound.trafficDirection == .inbound)
    #expect(!virtualInbound.useOriginalDst.value)
    #expect(virtualInbound.listenerFilters.first?.name == "envoy.filters.listener.original_dst")
    let chain = try #require(virtualInbound.filterChains.first)
    #expect(chain.name == "inbound|9080||")
    #expect(chain.filterChainMatch.destinationPort.value == 9080)
    let hcm = try HCM(serializedBytes: chain.filters[0].typedConfig.value)
    #expect(hcm.routeConfig.virtualHosts.first?.routes.first?.route.cluster == "inbound|9080||")
    #expect(hcm.httpFilters.last?.name == "envoy.filters.http.router")
    let passthrough = try TcpProxy(
      serializedBytes: virtualInbound.defaultFilterChain.filters[0].typedConfig.value)
    #expect(passthrough.cluster == "PassthroughCluster")
    // productpage serves nothing: no inbound.
    #expect(
      !translator.resources(for: Meshes.envoy, type: .cluster, requestedNames: nil)
        .names.contains("inbound|9080||"))
  }

  /// Without interception, a port the application itself listens on (no `targetPort` apart
  /// from the endpoint's port) is the application's: no inbound listener (it would be its own
  /// upstream, `inbound|9080||` to 127.0.0.1:9080) and no outbound listener either.
  @Test func workloadPortWithoutInterceptionBelongsToTheApplication() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let reviewsPod = Proxy(
      id: "sidecar~10.1.0.2~reviews-v2.default~default.svc.cluster.local", client: .mosn,
      ipAddresses: ["10.1.0.2"], labels: ["app": "reviews", "version": "v2"])
    let set = listeners(translator, proxy: reviewsPod)
    #expect(!set.names.contains("inbound|9080||"))
    #expect(!set.names.contains("0.0.0.0_9080"))
    for name in set.names {
      let listener = try Meshes.decode(Listener.self, set[name])
      for chain in listener.filterChains {
        for filter in chain.filters where filter.name == "envoy.filters.network.tcp_proxy" {
          let proxy = try TcpProxy(serializedBytes: filter.typedConfig.value)
          #expect(proxy.cluster != "inbound|9080||", "\(name) proxies to the app's own port")
        }
      }
    }
  }

  @Test func mosnWithoutInterceptionBindsPortsAndTargetsTheApp() throws {
    let translator = try Meshes.translator(
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: provider, namespace: default}
      spec:
        hosts: [provider.default.svc.cluster.local]
        resolution: STATIC
        ports: [{number: 20882, name: tcp-rpc, protocol: TCP, targetPort: 20880}]
        endpoints: [{address: 10.0.0.7, ports: {tcp-rpc: 20882}}]
      """)
    let set = listeners(translator, proxy: Meshes.mosn)
    #expect(!set.names.contains("virtualOutbound"))
    let inbound = try Meshes.decode(Listener.self, set["inbound|20882||"])
    #expect(inbound.address.socketAddress.address == "0.0.0.0")
    #expect(!inbound.hasBindToPort)
    let clusters = translator.resources(for: Meshes.mosn, type: .cluster, requestedNames: nil)
    let cluster = try Meshes.decode(
      Envoy_Config_Cluster_V3_Cluster.self, clusters["inbound|20882||"])
    #expect(
      cluster.loadAssignment.endpoints.first?.lbEndpoints.first?.endpoint.address.socketAddress
        .portValue == 20880)
  }

  /// Envoy without interception binds like Istio's Sidecar with captureMode NONE: outbound on
  /// 127.0.0.1 (one listener per port; virtual IPs cannot be bound), inbound on the pod's IP,
  /// and no outbound listener on a port the application itself listens on.
  @Test func envoyWithoutInterceptionBindsLoopbackAndThePodIP() throws {
    let translator = try Meshes.translator(Meshes.bookinfo + "\n---\n" + Meshes.external)
    let pod = Proxy(
      id: "sidecar~10.1.0.2~reviews-v2.default~default.svc.cluster.local",
      ipAddresses: ["10.1.0.2"], labels: ["app": "reviews", "version": "v2"],
      interceptionMode: Proxy.InterceptionMode.none)
    let set = listeners(translator, proxy: pod)
    #expect(!set.names.contains("virtualOutbound"))
    #expect(!set.names.contains { $0.hasPrefix("0.0.0.0_") || $0.hasPrefix("10.50.0.10_") })
    let http = try Meshes.decode(Listener.self, set["127.0.0.1_80"])
    #expect(http.address.socketAddress.address == "127.0.0.1")
    #expect(!http.hasBindToPort)
    let tcp = try Meshes.decode(Listener.self, set["127.0.0.1_5432"])
    #expect(tcp.address.socketAddress.portValue == 5432)
    // The application serves 9080 on 127.0.0.1: no outbound listener may take it.
    #expect(!set.names.contains("127.0.0.1_9080"))
    // The application listens on 9080 itself (no targetPort): no inbound listener, which would
    // be its own upstream.
    #expect(!set.names.contains("inbound|9080||"))
  }

  /// With a targetPort the sidecar receives on the service port and forwards to the
  /// application's: the inbound listener binds the pod's IP, never the app's loopback port.
  @Test func envoyWithoutInterceptionReceivesOnThePodIPForTheAppsTargetPort() throws {
    let translator = try Meshes.translator(
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: local, namespace: default}
      spec:
        hosts: [local.default.svc.cluster.local]
        resolution: STATIC
        ports: [{number: 9080, name: http, protocol: HTTP, targetPort: 9081}]
        endpoints: [{address: 10.1.0.9, ports: {http: 9080}}]
      """)
    let pod = Proxy(
      id: "sidecar~10.1.0.9~local-1.default~default.svc.cluster.local",
      ipAddresses: ["10.1.0.9"], labels: [:], interceptionMode: Proxy.InterceptionMode.none)
    let set = listeners(translator, proxy: pod)
    let inbound = try Meshes.decode(Listener.self, set["inbound|9080||"])
    #expect(inbound.address.socketAddress.address == "10.1.0.9")
    #expect(inbound.address.socketAddress.portValue == 9080)
    #expect(!set.names.contains("127.0.0.1_9081"))
  }
}
