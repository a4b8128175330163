import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayTranslate
import SwiftProtobuf
import Testing

/// Sidecar scoping (egress hosts, REGISTRY_ONLY, ingress, selection order), exportTo on
/// VirtualService and DestinationRule, and istiod's DestinationRule lookup order.
@Suite struct SidecarScopeTests {
  /// Three namespaces with one HTTP service each.
  static let mesh = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: alpha, namespace: a}
    spec:
      hosts: [alpha.a.svc.cluster.local]
      location: MESH_INTERNAL
      resolution: STATIC
      ports: [{number: 80, name: http, protocol: HTTP}]
      endpoints: [{address: 10.1.0.1, labels: {version: v1}}, {address: 10.1.0.2, labels: {version: v2}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: beta, namespace: b}
    spec:
      hosts: [beta.b.svc.cluster.local]
      location: MESH_INTERNAL
      resolution: STATIC
      ports: [{number: 80, name: http, protocol: HTTP}]
      endpoints: [{address: 10.2.0.1, labels: {version: v1}}, {address: 10.2.0.2, labels: {version: v2}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: gamma, namespace: c}
    spec:
      hosts: [gamma.c.svc.cluster.local]
      location: MESH_INTERNAL
      resolution: STATIC
      ports: [{number: 8080, name: http, protocol: HTTP}]
      endpoints: [{address: 10.3.0.1}]
    """

  static func proxy(_ namespace: String, ip: String, labels: [String: String] = [:]) -> Proxy {
    Proxy(
      id: "sidecar~\(ip)~pod.\(namespace)~\(namespace).svc.cluster.local", ipAddresses: [ip],
      podName: "pod", namespace: namespace, dnsDomain: "\(namespace).svc.cluster.local",
      labels: labels)
  }

  static func hosts(_ translator: MeshTranslator, _ proxy: Proxy) -> Set<String> {
    Set(
      translator.resources(for: proxy, type: .cluster, requestedNames: nil).names.compactMap {
        name -> String? in
        let parts = name.split(separator: "|", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "outbound" ? String(parts[3]) : nil
      })
  }

  @Test func egressHostsLimitEveryOutboundType() throws {
    let translator = try Meshes.translator(
      Self.mesh + """

        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: a}
        spec:
          egress: [{hosts: ["./*", "b/beta.b.svc.cluster.local"]}]
        """)
    let scoped = Self.proxy("a", ip: "10.9.0.1")
    #expect(
      Self.hosts(translator, scoped) == ["alpha.a.svc.cluster.local", "beta.b.svc.cluster.local"])
    let endpoints = translator.resources(for: scoped, type: .endpoint, requestedNames: nil).names
    #expect(!endpoints.contains("outbound|8080||gamma.c.svc.cluster.local"))
    #expect(endpoints.contains("outbound|80||beta.b.svc.cluster.local"))
    let listeners = translator.resources(for: scoped, type: .listener, requestedNames: nil).names
    #expect(!listeners.contains("0.0.0.0_8080"))
    #expect(listeners.contains("0.0.0.0_80"))
    #expect(translator.resources(for: scoped, type: .route, requestedNames: nil).names == ["80"])
    // A namespace without a Sidecar (and no root default) sees everything.
    let unscoped = Self.proxy("c", ip: "10.9.0.2")
    #expect(Self.hosts(translator, unscoped).count == 3)
  }

  @Test func registryOnlySendsUnknownDestinationsToBlackHole() throws {
    let yaml =
      Self.mesh + """

        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: a}
        spec:
          egress: [{hosts: ["./*"]}]
          outboundTrafficPolicy: {mode: REGISTRY_ONLY}
        """
    let translator = try Meshes.translator(yaml)
    let proxy = Self.proxy("a", ip: "10.9.0.1")
    let routes = translator.resources(for: proxy, type: .route, requestedNames: nil)
    let config = try Meshes.decode(Envoy_Config_Route_V3_RouteConfiguration.self, routes["80"])
    let last = try #require(config.virtualHosts.last)
    #expect(last.name == "block_all")
    #expect(last.routes.first?.directResponse.status == 502)
    let listeners = translator.resources(for: proxy, type: .listener, requestedNames: nil)
    let outbound = try Meshes.decode(
      Envoy_Config_Listener_V3_Listener.self, listeners["virtualOutbound"])
    #expect(outbound.filterChains.first?.name == "BlackHoleCluster")
    // ALLOW_ANY elsewhere: passthrough.
    let other = Self.proxy("c", ip: "10.9.0.2")
    let otherOutbound = try Meshes.decode(
      Envoy_Config_Listener_V3_Listener.self,
      translator.resources(for: other, type: .listener, requestedNames: nil)["virtualOutbound"])
    #expect(otherOutbound.filterChains.first?.name == "PassthroughCluster")
  }

  @Test func selectionOrderSelectorThenNamespaceThenRoot() throws {
    let translator = try Meshes.translator(
      Self.mesh + """

        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: narrow, namespace: b}
        spec:
          workloadSelector: {labels: {app: narrow}}
          egress: [{hosts: ["c/*"]}]
        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: b}
        spec:
          egress: [{hosts: ["a/*"]}]
        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: istio-system}
        spec:
          egress: [{hosts: ["./*"]}]
        """)
    #expect(
      Self.hosts(translator, Self.proxy("b", ip: "10.9.0.1", labels: ["app": "narrow"]))
        == ["gamma.c.svc.cluster.local"])
    #expect(
      Self.hosts(translator, Self.proxy("b", ip: "10.9.0.2", labels: ["app": "other"]))
        == ["alpha.a.svc.cluster.local"])
    // The root default's `.` is the proxy's own namespace.
    #expect(
      Self.hosts(translator, Self.proxy("c", ip: "10.9.0.3")) == ["gamma.c.svc.cluster.local"])
  }

  @Test func scopedProxiesShareTheirSets() throws {
    let translator = try Meshes.translator(
      Self.mesh + """

        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: a}
        spec:
          egress: [{hosts: ["./*"]}]
        """)
    let first = Self.proxy("a", ip: "10.9.0.1", labels: ["pod": "1"])
    let second = Self.proxy("a", ip: "10.9.0.2", labels: ["pod": "2"])
    for type in [XDSResourceType.cluster, .endpoint, .route] {
      #expect(
        translator.resources(for: first, type: type, requestedNames: nil)
          == translator.resources(for: second, type: type, requestedNames: nil))
    }
  }

  @Test func ingressDeclaresInboundPortsToTheDefaultEndpoint() throws {
    let translator = try Meshes.translator(
      Self.mesh + """

        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: a}
        spec:
          ingress:
          - port: {number: 9000, protocol: HTTP, name: http-in}
            defaultEndpoint: 127.0.0.1:8000
          - port: {number: 9001, protocol: TCP, name: tcp-in}
            defaultEndpoint: 0.0.0.0:8001
        """)
    let proxy = Self.proxy("a", ip: "10.9.0.1")
    let clusters = translator.resources(for: proxy, type: .cluster, requestedNames: nil)
    let http = try Meshes.decode(Envoy_Config_Cluster_V3_Cluster.self, clusters["inbound|9000||"])
    let socket = http.loadAssignment.endpoints.first?.lbEndpoints.first?.endpoint.address
      .socketAddress
    #expect(socket?.address == "127.0.0.1")
    #expect(socket?.portValue == 8000)
    let tcp = try Meshes.decode(Envoy_Config_Cluster_V3_Cluster.self, clusters["inbound|9001||"])
    #expect(
      tcp.loadAssignment.endpoints.first?.lbEndpoints.first?.endpoint.address.socketAddress
        .address == "10.9.0.1")
    let inbound = try Meshes.decode(
      Envoy_Config_Listener_V3_Listener.self,
      translator.resources(for: proxy, type: .listener, requestedNames: nil)["virtualInbound"])
    #expect(
      Set(inbound.filterChains.map { $0.filterChainMatch.destinationPort.value }) == [9000, 9001])
  }

  @Test func virtualServiceExportedToItsNamespaceOnly() throws {
    let translator = try Meshes.translator(
      Self.mesh + """

        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: gamma, namespace: c}
        spec:
          hosts: [gamma.c.svc.cluster.local]
          exportTo: ["."]
          http: [{route: [{destination: {host: gamma.c.svc.cluster.local}}], timeout: 7s}]
        """)
    func timeout(_ proxy: Proxy) throws -> Int64 {
      let config = try Meshes.decode(
        Envoy_Config_Route_V3_RouteConfiguration.self,
        translator.resources(for: proxy, type: .route, requestedNames: nil)["8080"])
      let host = try #require(
        config.virtualHosts.first { $0.name == "gamma.c.svc.cluster.local:8080" })
      return host.routes.first?.route.timeout.seconds ?? -1
    }
    #expect(try timeout(Self.proxy("c", ip: "10.9.0.1")) == 7)
    #expect(try timeout(Self.proxy("a", ip: "10.9.0.2")) == 0)
  }

  /// Rules for beta (namespace b) in the client's namespace a, in b itself (exported to a
  /// only through `*`), in the root namespace, and in an unrelated namespace z.
  static let rules = """

    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: beta-client, namespace: a}
    spec:
      host: beta.b.svc.cluster.local
      trafficPolicy: {loadBalancer: {simple: RANDOM}}
      subsets: [{name: from-a, labels: {version: v1}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: beta, namespace: b}
    spec:
      host: beta.b.svc.cluster.local
      exportTo: ["."]
      trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
      subsets: [{name: from-b, labels: {version: v2}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: beta-root, namespace: istio-system}
    spec:
      host: "*.svc.cluster.local"
      trafficPolicy: {connectionPool: {tcp: {connectTimeout: 4s}}}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: beta-elsewhere, namespace: z}
    spec:
      host: beta.b.svc.cluster.local
      trafficPolicy: {loadBalancer: {simple: LEAST_CONN}}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: beta-selected, namespace: a}
    spec:
      host: beta.b.svc.cluster.local
      workloadSelector: {matchLabels: {app: special}}
      trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
      subsets: [{name: special, labels: {version: v2}}]
    """

  func betaCluster(_ translator: MeshTranslator, _ proxy: Proxy) throws
    -> Envoy_Config_Cluster_V3_Cluster
  {
    try Meshes.decode(
      Envoy_Config_Cluster_V3_Cluster.self,
      translator.resources(for: proxy, type: .cluster, requestedNames: nil)[
        "outbound|80||beta.b.svc.cluster.local"])
  }

  @Test func destinationRuleLookupOrder() throws {
    let translator = try Meshes.translator(Self.mesh + Self.rules)
    // Client namespace first.
    let inA = Self.proxy("a", ip: "10.9.0.1")
    #expect(try betaCluster(translator, inA).lbPolicy == .random)
    let aNames = translator.resources(for: inA, type: .cluster, requestedNames: nil).names
    #expect(aNames.contains("outbound|80|from-a|beta.b.svc.cluster.local"))
    #expect(!aNames.contains("outbound|80|from-b|beta.b.svc.cluster.local"))
    // The workloadSelector rule, for the workloads it selects only.
    let special = Self.proxy("a", ip: "10.9.0.5", labels: ["app": "special"])
    #expect(try betaCluster(translator, special).lbPolicy == .leastRequest)
    #expect(
      translator.resources(for: special, type: .cluster, requestedNames: nil).names.contains(
        "outbound|80|special|beta.b.svc.cluster.local"))
    // The service's namespace: its `.` rule applies to its own clients only.
    let inB = Self.proxy("b", ip: "10.9.0.2")
    #expect(try betaCluster(translator, inB).lbPolicy == .roundRobin)
    #expect(
      translator.resources(for: inB, type: .cluster, requestedNames: nil).names.contains(
        "outbound|80|from-b|beta.b.svc.cluster.local"))
    // Then the root namespace; a rule in an unrelated namespace never applies elsewhere.
    let inC = Self.proxy("c", ip: "10.9.0.3")
    #expect(try betaCluster(translator, inC).connectTimeout.seconds == 4)
    #expect(try betaCluster(translator, inA).connectTimeout.seconds == 10)
    let inZ = Self.proxy("z", ip: "10.9.0.4")
    #expect(try betaCluster(translator, inZ).connectTimeout.seconds == 10)
    #expect(try betaCluster(translator, inZ).lbPolicy != .random)
    // EDS has every subset any client's rule names, with its own labels.
    let endpoints = translator.resources(for: inC, type: .endpoint, requestedNames: nil).names
    #expect(endpoints.contains("outbound|80|from-a|beta.b.svc.cluster.local"))
    #expect(endpoints.contains("outbound|80|from-b|beta.b.svc.cluster.local"))
  }

  @Test func destinationRulePatchKeepsLookupOrder() throws {
    let before = try Meshes.translator(Self.mesh + Self.rules)
    let change = try Meshes.snapshot(
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: beta-client, namespace: a}
      spec:
        host: beta.b.svc.cluster.local
        exportTo: ["b"]
        trafficPolicy: {loadBalancer: {simple: RANDOM}}
      """)
    let object = try #require(change.objects.first)
    let patched = try Meshes.translation(
      updating: before, with: .objects([object.key: object], revision: 2))
    let full = try Meshes.translator(
      Self.mesh
        + Self.rules.replacingOccurrences(
          of:
            "metadata: {name: beta-client, namespace: a}\nspec:\n  host: beta.b.svc.cluster.local\n",
          with:
            "metadata: {name: beta-client, namespace: a}\nspec:\n  host: beta.b.svc.cluster.local\n  exportTo: [\"b\"]\n"
        ))
    // Not exported to its own namespace any more: clients in a fall back to the root rule.
    let inA = Self.proxy("a", ip: "10.9.0.1")
    #expect(try betaCluster(patched, inA).connectTimeout.seconds == 4)
    for proxy in [inA, Self.proxy("b", ip: "10.9.0.2"), Self.proxy("c", ip: "10.9.0.3")] {
      for type in [XDSResourceType.cluster, .route] {
        #expect(
          patched.resources(for: proxy, type: type, requestedNames: nil)
            == full.resources(for: proxy, type: type, requestedNames: nil))
      }
    }
  }
}
