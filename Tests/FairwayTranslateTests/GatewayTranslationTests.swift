import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayTranslate
import Foundation
import SwiftProtobuf
import Testing

/// Gateway proxies (`router~` nodes): listeners, route configs and TLS contexts named as istiod
/// names them; VirtualService binding through `gateways:`; DestinationRule `tls` clusters.
@Suite struct GatewayTranslationTests {
  typealias Listener = Envoy_Config_Listener_V3_Listener
  typealias RouteConfiguration = Envoy_Config_Route_V3_RouteConfiguration
  typealias HCM = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager
  typealias TCPProxy = Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy
  typealias Downstream = Envoy_Extensions_TransportSockets_Tls_V3_DownstreamTlsContext
  typealias Upstream = Envoy_Extensions_TransportSockets_Tls_V3_UpstreamTlsContext

  static let ingress = Proxy(
    id: "router~10.0.0.40~ingress-1.istio-system~istio-system.svc.cluster.local", kind: .router,
    ipAddresses: ["10.0.0.40"], namespace: "istio-system", labels: ["istio": "ingressgateway"])
  static let otherGateway = Proxy(
    id: "router~10.0.0.41~egress-1.istio-system~istio-system.svc.cluster.local", kind: .router,
    ipAddresses: ["10.0.0.41"], namespace: "istio-system", labels: ["istio": "egressgateway"])

  static let mesh = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: web, namespace: default}
    spec:
      hosts: [web.default.svc.cluster.local]
      ports: [{number: 9080, name: http, protocol: HTTP}]
      resolution: STATIC
      endpoints: [{address: 10.1.0.1}]
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: api, namespace: default}
    spec:
      hosts: [api.default.svc.cluster.local]
      ports: [{number: 9080, name: http, protocol: HTTP}]
      resolution: STATIC
      endpoints: [{address: 10.1.0.2}]
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: secure, namespace: default}
    spec:
      hosts: [secure.default.svc.cluster.local]
      ports: [{number: 9443, name: tls, protocol: TLS}]
      resolution: STATIC
      endpoints: [{address: 10.1.0.3}]
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: secure, namespace: default}
    spec:
      host: secure.default.svc.cluster.local
      trafficPolicy: {tls: {mode: SIMPLE, insecureSkipVerify: true}}
    ---
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata: {name: ingress, namespace: istio-system}
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts: ["*/bookinfo.example.com", "default/merged.example.com", "other/hidden.example.com"]
      - port: {number: 8081, name: http-redirect, protocol: HTTP}
        hosts: [bookinfo.example.com]
        tls: {httpsRedirect: true}
      - port: {number: 443, name: https, protocol: HTTPS, targetPort: 8443}
        hosts: [bookinfo.example.com]
        tls:
          mode: MUTUAL
          serverCertificate: /certs/server.pem
          privateKey: /certs/server.key
          caCertificates: /certs/ca.pem
          subjectAltNames: [client.example.com]
      - port: {number: 443, name: passthrough, protocol: TLS, targetPort: 8443}
        hosts: [pass.example.com]
        tls: {mode: PASSTHROUGH}
      - port: {number: 3306, name: tcp, protocol: TCP}
        hosts: ["*"]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: bookinfo, namespace: default}
    spec:
      hosts: [bookinfo.example.com]
      gateways: [istio-system/ingress]
      http:
      - match: [{uri: {prefix: /api}}]
        route: [{destination: {host: api.default.svc.cluster.local, port: {number: 9080}}}]
      - match: [{uri: {prefix: /only-mesh}, gateways: [mesh]}]
        route: [{destination: {host: api.default.svc.cluster.local}}]
      - route: [{destination: {host: web.default.svc.cluster.local}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: merged-a, namespace: default}
    spec:
      hosts: [merged.example.com]
      gateways: [istio-system/ingress]
      http:
      - route: [{destination: {host: web.default.svc.cluster.local}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: merged-b, namespace: default}
    spec:
      hosts: [merged.example.com]
      gateways: [istio-system/ingress]
      http:
      - match: [{uri: {prefix: /b}}]
        route: [{destination: {host: api.default.svc.cluster.local}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: hidden, namespace: default}
    spec:
      hosts: [hidden.example.com]
      gateways: [istio-system/ingress]
      http:
      - route: [{destination: {host: web.default.svc.cluster.local}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: passthrough, namespace: default}
    spec:
      hosts: [pass.example.com]
      gateways: [istio-system/ingress]
      tls:
      - match: [{sniHosts: [pass.example.com], port: 443}]
        route: [{destination: {host: secure.default.svc.cluster.local, port: {number: 9443}}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: db, namespace: default}
    spec:
      hosts: ["*"]
      gateways: [istio-system/ingress]
      tcp:
      - match: [{port: 3306}]
        route: [{destination: {host: secure.default.svc.cluster.local, port: {number: 9443}}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: web-gateway-only, namespace: default}
    spec:
      hosts: [web.default.svc.cluster.local]
      gateways: [istio-system/ingress]
      http:
      - route: [{destination: {host: api.default.svc.cluster.local}}]
    """

  func listener(_ translator: MeshTranslator, _ name: String, proxy: Proxy = ingress) throws
    -> Listener
  {
    try Meshes.decode(
      Listener.self,
      translator.resources(for: proxy, type: .listener, requestedNames: nil)[name])
  }

  func routeConfig(_ translator: MeshTranslator, _ name: String, proxy: Proxy = ingress) throws
    -> RouteConfiguration
  {
    try Meshes.decode(
      RouteConfiguration.self,
      translator.resources(for: proxy, type: .route, requestedNames: nil)[name])
  }

  func hcm(_ chain: Envoy_Config_Listener_V3_FilterChain) throws -> HCM {
    try HCM(unpackingAny: try #require(chain.filters.first).typedConfig)
  }

  @Test func listenerAndRouteNamesAreIstiods() throws {
    let translator = try Meshes.translator(Self.mesh)
    let listeners = translator.resources(for: Self.ingress, type: .listener, requestedNames: nil)
    #expect(
      listeners.names.sorted() == ["0.0.0.0_3306", "0.0.0.0_80", "0.0.0.0_8081", "0.0.0.0_8443"])
    let routes = translator.resources(for: Self.ingress, type: .route, requestedNames: nil)
    #expect(
      routes.names.sorted() == ["http.80", "http.8081", "https.443.https.ingress.istio-system"])
    let http = try listener(translator, "0.0.0.0_80")
    #expect(http.address.socketAddress.portValue == 80)
    #expect(try hcm(http.filterChains[0]).rds.routeConfigName == "http.80")
    #expect(!http.hasBindToPort || http.bindToPort.value)
  }

  @Test func virtualHostsFollowServerHostsAndNamespaces() throws {
    let translator = try Meshes.translator(Self.mesh)
    let config = try routeConfig(translator, "http.80")
    // hidden.example.com: the server takes it only from namespace `other`.
    #expect(
      config.virtualHosts.map(\.name) == ["bookinfo.example.com:80", "merged.example.com:80"])
    let bookinfo = config.virtualHosts[0]
    #expect(bookinfo.domains == ["bookinfo.example.com", "bookinfo.example.com:*"])
    // The mesh-only match is not on the gateway; the rest in order.
    #expect(bookinfo.routes.count == 2)
    #expect(bookinfo.routes[0].match.prefix == "/api")
    #expect(bookinfo.routes[0].route.cluster == "outbound|9080||api.default.svc.cluster.local")
    #expect(bookinfo.routes[1].route.cluster == "outbound|9080||web.default.svc.cluster.local")
  }

  @Test func severalVirtualServicesForOneHostMergeWithCatchAllLast() throws {
    let translator = try Meshes.translator(Self.mesh)
    let merged = try #require(
      try routeConfig(translator, "http.80").virtualHosts.first {
        $0.name == "merged.example.com:80"
      })
    #expect(merged.routes.map(\.match.prefix) == ["/b", "/"])
    #expect(
      merged.routes.map(\.route.cluster) == [
        "outbound|9080||api.default.svc.cluster.local",
        "outbound|9080||web.default.svc.cluster.local",
      ])
  }

  @Test func httpsRedirectRequiresTLS() throws {
    let translator = try Meshes.translator(Self.mesh)
    let config = try routeConfig(translator, "http.8081")
    #expect(config.virtualHosts.map(\.name) == ["bookinfo.example.com:8081"])
    #expect(config.virtualHosts[0].requireTls == .all)
    let plain = try routeConfig(translator, "http.80")
    #expect(plain.virtualHosts.allSatisfy { $0.requireTls == .none })
  }

  @Test func httpsServerTerminatesWithFilesAndPassthroughGoesBySNI() throws {
    let translator = try Meshes.translator(Self.mesh)
    let listener = try listener(translator, "0.0.0.0_8443")
    #expect(listener.address.socketAddress.portValue == 8443)
    #expect(listener.listenerFilters.map(\.name) == ["envoy.filters.listener.tls_inspector"])
    #expect(listener.filterChains.count == 2)
    let https = listener.filterChains[0]
    #expect(https.filterChainMatch.serverNames == ["bookinfo.example.com"])
    #expect(try hcm(https).rds.routeConfigName == "https.443.https.ingress.istio-system")
    #expect(https.transportSocket.name == "envoy.transport_sockets.tls")
    let context = try Downstream(unpackingAny: https.transportSocket.typedConfig)
    let common = context.commonTlsContext
    #expect(common.tlsCertificates.first?.certificateChain.filename == "/certs/server.pem")
    #expect(common.tlsCertificates.first?.privateKey.filename == "/certs/server.key")
    #expect(common.validationContext.trustedCa.filename == "/certs/ca.pem")
    #expect(
      common.validationContext.matchTypedSubjectAltNames.map(\.matcher.exact) == [
        "client.example.com"
      ])
    #expect(context.requireClientCertificate.value)
    #expect(common.tlsParams.tlsMinimumProtocolVersion == .tlsv12)
    #expect(common.alpnProtocols == ["h2", "http/1.1"])

    let passthrough = listener.filterChains[1]
    #expect(passthrough.filterChainMatch.serverNames == ["pass.example.com"])
    #expect(!passthrough.hasTransportSocket)
    let proxy = try TCPProxy(unpackingAny: try #require(passthrough.filters.first).typedConfig)
    #expect(proxy.cluster == "outbound|9443||secure.default.svc.cluster.local")

    let https443 = try routeConfig(translator, "https.443.https.ingress.istio-system")
    #expect(https443.virtualHosts.map(\.name) == ["bookinfo.example.com:443"])
  }

  @Test func tcpServerProxiesToTheBoundTCPRoute() throws {
    let translator = try Meshes.translator(Self.mesh)
    let listener = try listener(translator, "0.0.0.0_3306")
    let proxy = try TCPProxy(
      unpackingAny: try #require(listener.filterChains.first?.filters.first).typedConfig)
    #expect(proxy.cluster == "outbound|9443||secure.default.svc.cluster.local")
  }

  @Test func gatewaysSelectProxiesByLabel() throws {
    let translator = try Meshes.translator(Self.mesh)
    #expect(
      translator.resources(for: Self.otherGateway, type: .listener, requestedNames: nil).names
        .isEmpty)
    #expect(
      translator.resources(for: Self.otherGateway, type: .route, requestedNames: nil).names.isEmpty)
    // Gateway proxies still get every visible service's clusters.
    let clusters = translator.resources(for: Self.otherGateway, type: .cluster, requestedNames: nil)
    #expect(clusters.names.contains("outbound|9080||web.default.svc.cluster.local"))
  }

  @Test func gatewayOnlyVirtualServicesDoNotApplyToSidecars() throws {
    let translator = try Meshes.translator(Self.mesh)
    let routes = translator.resources(for: Meshes.envoy, type: .route, requestedNames: nil)
    let config = try Meshes.decode(RouteConfiguration.self, routes["9080"])
    let web = try #require(
      config.virtualHosts.first { $0.name == "web.default.svc.cluster.local:9080" })
    // `web-gateway-only` sends web to api, but only on the gateway: sidecars keep the default.
    #expect(web.routes.map(\.route.cluster) == ["outbound|9080||web.default.svc.cluster.local"])
    #expect(!config.virtualHosts.contains { $0.domains.contains("bookinfo.example.com") })
  }

  @Test func aVirtualServicePatchReachesTheGateway() throws {
    let before = try Meshes.translator(Self.mesh)
    let change = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: merged-b, namespace: default}
      spec:
        hosts: [merged.example.com]
        gateways: [istio-system/ingress]
        http:
        - match: [{uri: {prefix: /c}}]
          route: [{destination: {host: api.default.svc.cluster.local}}]
      """
    let object = try #require(try ConfigParser().parse(Data(change.utf8)).objects.first)
    let after = try Meshes.translation(
      updating: before, with: .objects([object.key: object], revision: 2))
    let merged = try #require(
      try routeConfig(after, "http.80").virtualHosts.first { $0.name == "merged.example.com:80" })
    #expect(merged.routes.map(\.match.prefix) == ["/c", "/"])
  }

  /// /debug/config_dump renders TLS contexts and the TLS inspector (their types are registered
  /// for `Any` JSON); an unregistered type would come out as `null`.
  @Test func configDumpRendersTLSResources() throws {
    let translator = try Meshes.translator(Self.mesh)
    let dump = ConfigDump(
      clusters: translator.resources(for: Self.ingress, type: .cluster, requestedNames: nil),
      endpoints: translator.resources(for: Self.ingress, type: .endpoint, requestedNames: nil),
      listeners: translator.resources(for: Self.ingress, type: .listener, requestedNames: nil),
      routes: translator.resources(for: Self.ingress, type: .route, requestedNames: nil)
    ).jsonString()
    #expect(!dump.contains("null"))
    #expect(dump.contains("envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext"))
    #expect(dump.contains("envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector"))
    #expect(dump.contains("envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext"))
  }

  @Test func destinationRuleTLSOriginates() throws {
    let yaml = """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: ext, namespace: default}
      spec:
        hosts: [api.example.com]
        ports: [{number: 80, name: http, protocol: HTTP, targetPort: 443}, {number: 8080, name: http-alt, protocol: HTTP}]
        resolution: DNS
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: ext, namespace: default}
      spec:
        host: api.example.com
        trafficPolicy:
          tls:
            mode: MUTUAL
            clientCertificate: /certs/client.pem
            privateKey: /certs/client.key
            caCertificates: /certs/ca.pem
            sni: api.example.com
            subjectAltNames: [api.example.com, "spiffe://cluster.local/ns/default/sa/api"]
          portLevelSettings:
          - port: {number: 8080}
            tls: {mode: DISABLE}
        subsets:
        - name: skip
          labels: {}
          trafficPolicy:
            tls: {mode: SIMPLE, insecureSkipVerify: true}
      """
    let translator = try Meshes.translator(yaml)
    let clusters = translator.resources(for: Meshes.envoy, type: .cluster, requestedNames: nil)
    let mutual = try Meshes.decode(
      Envoy_Config_Cluster_V3_Cluster.self, clusters["outbound|80||api.example.com"])
    #expect(mutual.transportSocket.name == "envoy.transport_sockets.tls")
    let context = try Upstream(unpackingAny: mutual.transportSocket.typedConfig)
    #expect(context.sni == "api.example.com")
    let common = context.commonTlsContext
    #expect(common.tlsCertificates.first?.certificateChain.filename == "/certs/client.pem")
    #expect(common.tlsCertificates.first?.privateKey.filename == "/certs/client.key")
    #expect(common.validationContext.trustedCa.filename == "/certs/ca.pem")
    #expect(common.validationContext.matchTypedSubjectAltNames.map(\.sanType) == [.dns, .uri])
    #expect(
      common.validationContext.matchTypedSubjectAltNames.map(\.matcher.exact) == [
        "api.example.com", "spiffe://cluster.local/ns/default/sa/api",
      ])
    let plain = try Meshes.decode(
      Envoy_Config_Cluster_V3_Cluster.self, clusters["outbound|8080||api.example.com"])
    #expect(!plain.hasTransportSocket)
    let skip = try Meshes.decode(
      Envoy_Config_Cluster_V3_Cluster.self, clusters["outbound|80|skip|api.example.com"])
    let skipContext = try Upstream(unpackingAny: skip.transportSocket.typedConfig)
    #expect(skipContext.commonTlsContext.validationContextType == nil)
    #expect(skipContext.commonTlsContext.tlsCertificates.isEmpty)
    // grpc clients take TLS only from certificate providers: no transport socket for them.
    let grpc = translator.resources(for: Meshes.grpc, type: .cluster, requestedNames: nil)
    if let grpcCluster = grpc["outbound|80||api.example.com"] {
      #expect(
        !(try Meshes.decode(Envoy_Config_Cluster_V3_Cluster.self, grpcCluster)).hasTransportSocket)
    }
  }
}
