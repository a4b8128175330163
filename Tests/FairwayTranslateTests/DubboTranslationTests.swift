import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayTranslate
import Foundation
import SwiftProtobuf
import Testing

/// Dubbo services: Envoy's dubbo_proxy listeners and `drds` routes, MOSN's HTTP-shaped routes,
/// provider inbound listeners, and the rules a VirtualService turns into.
@Suite struct DubboTranslationTests {
  typealias Multiple = Envoy_Extensions_Filters_Network_DubboProxy_V3_MultipleRouteConfiguration
  typealias DubboProxy = Envoy_Extensions_Filters_Network_DubboProxy_V3_DubboProxy
  typealias Listener = Envoy_Config_Listener_V3_Listener

  static let interface = "mosn.io.dubbo.DemoService"
  static let blue = "outbound|20882|blue|mosn.io.dubbo.DemoService"
  static let green = "outbound|20882|green|mosn.io.dubbo.DemoService"
  static let whole = "outbound|20882||mosn.io.dubbo.DemoService"

  static let consumer = Proxy(
    id: "sidecar~10.0.0.10~consumer-1.dubbo~dubbo.svc.cluster.local",
    ipAddresses: ["10.0.0.10"], namespace: "dubbo", labels: ["app": "consumer"])
  static let mosnConsumer = Proxy(
    id: "sidecar~10.0.0.10~consumer-1.dubbo~dubbo.svc.cluster.local", client: .mosn,
    ipAddresses: ["10.0.0.10"], namespace: "dubbo", labels: ["app": "consumer"])
  static let provider = Proxy(
    id: "sidecar~10.0.0.11~provider-blue.dubbo~dubbo.svc.cluster.local",
    ipAddresses: ["10.0.0.11"], namespace: "dubbo",
    labels: ["app": "dubbo-provider", "color": "blue"],
    interceptionMode: Proxy.InterceptionMode.none)

  static func demo() throws -> String {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../Examples/dubbo/demo.yaml").standardized
    return try String(contentsOf: url, encoding: .utf8)
  }

  /// The demo's service and subsets with `virtualService` (YAML of the spec's http list).
  static func mesh(http: String, portName: String = "tcp-dubbo", protocol: String = "DUBBO")
    -> String
  {
    """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: demo, namespace: dubbo}
    spec:
      hosts: [mosn.io.dubbo.DemoService]
      resolution: STATIC
      ports: [{number: 20882, name: \(portName), protocol: \(`protocol`)}]
      endpoints: [{address: 10.0.0.11, labels: {color: blue}}, {address: 10.0.0.12, labels: {color: green}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: demo, namespace: dubbo}
    spec:
      host: mosn.io.dubbo.DemoService
      subsets: [{name: blue, labels: {color: blue}}, {name: green, labels: {color: green}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: demo, namespace: dubbo}
    spec:
      hosts: [mosn.io.dubbo.DemoService]
      http:
    \(http)
    """
  }

  func dubboRoutes(_ translator: MeshTranslator, proxy: Proxy = Self.consumer) throws -> Multiple {
    let set = translator.resources(for: proxy, type: .dubboRoute, requestedNames: nil)
    #expect(set.names == ["20882"])
    return try Meshes.decode(Multiple.self, set["20882"])
  }

  @Test func portsAreDubboByProtocolOrByName() {
    #expect(PortProtocol(declared: "DUBBO", portName: "rpc") == .dubbo)
    #expect(PortProtocol(declared: "TCP", portName: "tcp-dubbo") == .dubbo)
    #expect(PortProtocol(declared: nil, portName: "tcp-dubbo-2") == .dubbo)
    #expect(PortProtocol(declared: nil, portName: "dubbo") == .dubbo)
    #expect(PortProtocol(declared: "HTTP", portName: "dubbo-admin") == .http)
    #expect(PortProtocol(declared: "TCP", portName: "tcp-db") == .tcp)
  }

  @Test func envoyListenerUsesDubboProxyWithDynamicRoutes() throws {
    let translator = try Meshes.translator(try Self.demo())
    let listeners = translator.resources(for: Self.consumer, type: .listener, requestedNames: nil)
    let listener = try Meshes.decode(Listener.self, listeners["0.0.0.0_20882"])
    let filter = try #require(listener.filterChains.first?.filters.first)
    #expect(filter.name == "envoy.filters.network.dubbo_proxy")
    let proxy = try DubboProxy(unpackingAny: filter.typedConfig)
    #expect(proxy.drds.routeConfigName == "20882")
    guard case .ads? = proxy.drds.configSource.configSourceSpecifier else {
      Issue.record("drds config source is not ADS")
      return
    }
    #expect(proxy.drds.configSource.resourceApiVersion == .v3)
    #expect(proxy.routeConfig.isEmpty)
    #expect(proxy.dubboFilters.map(\.name) == ["envoy.filters.dubbo.router"])
    #expect(proxy.protocolType == .dubbo && proxy.serializationType == .hessian2)
  }

  @Test func demoRoutesInVirtualServiceOrderWithDefaultLast() throws {
    let translator = try Meshes.translator(try Self.demo())
    let multiple = try dubboRoutes(translator)
    #expect(multiple.routeConfig.count == 1)
    let config = try #require(multiple.routeConfig.first)
    #expect(config.interface == Self.interface)
    #expect(config.group.isEmpty && config.version.isEmpty)
    let routes = config.routes
    #expect(routes.count == 4)
    // canary attachment -> green
    #expect(routes[0].match.headers.map(\.name) == ["x-user-tag"])
    #expect(routes[0].match.headers.first?.stringMatch.exact == "canary")
    #expect(routes[0].match.method.name.safeRegex.regex == ".*")
    #expect(routes[0].route.cluster == Self.green)
    // sayHello -> blue
    #expect(routes[1].match.method.name.exact == "sayHello")
    #expect(routes[1].route.cluster == Self.blue)
    // 80/20 split
    let split = routes[2].route.weightedClusters.clusters
    #expect(split.map(\.name) == [Self.blue, Self.green])
    #expect(split.map(\.weight.value) == [80, 20])
    // default: the whole service
    #expect(routes[3].route.cluster == Self.whole)
  }

  @Test func groupAndVersionPinsBecomeRouteConfigurations() throws {
    let translator = try Meshes.translator(
      Self.mesh(
        http: """
            - match: [{headers: {version: {exact: "2.0.0"}, X-Tenant: {prefix: acme}}}]
              route: [{destination: {host: mosn.io.dubbo.DemoService, subset: green}}]
            - match: [{method: {prefix: get}}]
              route: [{destination: {host: mosn.io.dubbo.DemoService, subset: blue}}]
          """))
    let configs = try dubboRoutes(translator).routeConfig
    #expect(configs.map(\.version) == ["2.0.0", ""])
    #expect(configs.allSatisfy { $0.interface == Self.interface })
    // The pinned configuration keeps VirtualService order and every rule that fits its calls.
    let pinned = configs[0].routes
    #expect(pinned.map(\.route.cluster) == [Self.green, Self.blue, Self.whole])
    #expect(pinned[0].match.headers.map(\.name) == ["x-tenant"])
    #expect(pinned[0].match.headers.first?.stringMatch.prefix == "acme")
    #expect(pinned[1].match.method.name.prefix == "get")
    // The unpinned one has only the unpinned rules.
    #expect(configs[1].routes.map(\.route.cluster) == [Self.blue, Self.whole])
  }

  @Test func mosnGetsHTTPShapedRoutesNamedAfterThePort() throws {
    let translator = try Meshes.translator(try Self.demo())
    let routes = translator.resources(for: Self.mosnConsumer, type: .route, requestedNames: nil)
    let config = try Meshes.decode(Envoy_Config_Route_V3_RouteConfiguration.self, routes["20882"])
    #expect(config.virtualHosts.count == 1)
    let host = try #require(config.virtualHosts.first)
    #expect(host.domains == [Self.interface])
    let headers = host.routes.map { $0.match.headers }
    #expect(headers[0].map(\.name) == ["x-user-tag"] && headers[0][0].exactMatch == "canary")
    #expect(headers[1].map(\.name) == ["method"] && headers[1][0].exactMatch == "sayHello")
    #expect(headers[2].map(\.name) == ["service"] && headers[2][0].safeRegexMatch.regex == ".*")
    for route in host.routes {
      #expect(route.match.pathSpecifier == nil)
      for matcher in route.match.headers {
        switch matcher.headerMatchSpecifier {
        case .exactMatch?, .safeRegexMatch?: break
        default: Issue.record("MOSN cannot read \(matcher.name)'s matcher")
        }
      }
    }
    #expect(host.routes[1].route.timeout.seconds == 3)
    let split = host.routes[2].route.weightedClusters
    #expect(split.clusters.map(\.weight.value) == [80, 20])
    #expect(split.totalWeight.value == 100)
    #expect(host.routes[2].route.retryPolicy.numRetries.value == 2)
    #expect(host.routes[3].route.cluster == Self.whole)
    // MOSN's Dubbo listeners are its own static ones; it gets no Dubbo routes over drds.
    #expect(
      translator.resources(for: Self.mosnConsumer, type: .dubboRoute, requestedNames: nil).isEmpty)
    #expect(
      !translator.resources(for: Self.mosnConsumer, type: .listener, requestedNames: nil).names
        .contains("0.0.0.0_20882"))
  }

  @Test func mosnPrefixMatchesBecomeRegexes() throws {
    let translator = try Meshes.translator(
      Self.mesh(
        http: """
            - match: [{headers: {x-zone: {prefix: "cn.east"}}, method: {regex: "say.*"}}]
              route: [{destination: {host: mosn.io.dubbo.DemoService, subset: green}}]
          """))
    let routes = translator.resources(for: Self.mosnConsumer, type: .route, requestedNames: nil)
    let config = try Meshes.decode(Envoy_Config_Route_V3_RouteConfiguration.self, routes["20882"])
    let headers = try #require(config.virtualHosts.first?.routes.first?.match.headers)
    #expect(headers.map(\.name) == ["method", "x-zone"])
    #expect(headers[0].safeRegexMatch.regex == "say.*")
    #expect(headers[1].safeRegexMatch.regex == "cn\\.east.*")
  }

  @Test func providerGetsAnInboundDubboListener() throws {
    let translator = try Meshes.translator(try Self.demo())
    let listeners = translator.resources(for: Self.provider, type: .listener, requestedNames: nil)
    let inbound = try Meshes.decode(Listener.self, listeners["inbound|20882||"])
    let filter = try #require(inbound.filterChains.first?.filters.first)
    #expect(filter.name == "envoy.filters.network.dubbo_proxy")
    let proxy = try DubboProxy(unpackingAny: filter.typedConfig)
    let config = try #require(proxy.multipleRouteConfig.routeConfig.first)
    #expect(config.interface == "*")
    #expect(config.routes.map(\.route.cluster) == ["inbound|20882||"])
    // The sidecar takes the WorkloadEntry's port (20882), the app the ServiceEntry's
    // targetPort (20880): never the listener itself.
    #expect(inbound.address.socketAddress.portValue == 20882)
    let clusters = translator.resources(for: Self.provider, type: .cluster, requestedNames: nil)
    let cluster = try Meshes.decode(
      Envoy_Config_Cluster_V3_Cluster.self, clusters["inbound|20882||"])
    let target = cluster.loadAssignment.endpoints.first?.lbEndpoints.first?.endpoint.address
      .socketAddress
    #expect(target?.address == "127.0.0.1")
    #expect(target?.portValue == 20880)
    // MOSN's provider sidecar has its own static ingress listener on that port.
    var mosnProvider = Self.provider
    mosnProvider.client = .mosn
    #expect(
      !translator.resources(for: mosnProvider, type: .listener, requestedNames: nil).names
        .contains("inbound|20882||"))
  }

  /// A provider without interception whose app has the service's own port (no targetPort):
  /// no listener there (it would forward each call to itself), the app keeps the port.
  @Test func providerWithoutInterceptionLeavesTheAppsOwnPortAlone() throws {
    let translator = try Meshes.translator(
      Self.mesh(
        http: """
            - route: [{destination: {host: mosn.io.dubbo.DemoService, subset: blue}}]
          """))
    let listeners = translator.resources(for: Self.provider, type: .listener, requestedNames: nil)
    #expect(!listeners.names.contains("inbound|20882||"))
    #expect(!listeners.names.contains("0.0.0.0_20882"))
  }

  @Test func portNamedTcpDubboWithProtocolTCPIsDubbo() throws {
    let translator = try Meshes.translator(
      Self.mesh(
        http: """
            - route: [{destination: {host: mosn.io.dubbo.DemoService, subset: blue}}]
          """, protocol: "TCP"))
    #expect(try dubboRoutes(translator).routeConfig.first?.routes.first?.route.cluster == Self.blue)
  }

  @Test func interfaceCaseIsKeptEverywhere() throws {
    let translator = try Meshes.translator(try Self.demo())
    let clusters = translator.resources(for: Self.consumer, type: .cluster, requestedNames: nil)
    #expect([Self.blue, Self.green, Self.whole].allSatisfy { clusters[$0] != nil })
    #expect(!clusters.names.contains { $0.contains("demoservice") })
  }
}
