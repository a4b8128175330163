import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayTranslate
import Testing

/// What decides a cached sidecar virtual host's bytes besides its own VirtualService: a
/// delegate merged into it, the DestinationRule the client gets for a destination (from any
/// namespace), the Sidecar scope's catch-all; and VHDS sending the cached hosts renamed.
@Suite struct VirtualHostCacheScopeTests {
  typealias Cache = VirtualHostCacheTests
  typealias Incremental = IncrementalVirtualServiceTests
  typealias VirtualHost = Envoy_Config_Route_V3_VirtualHost
  typealias RouteConfiguration = Envoy_Config_Route_V3_RouteConfiguration

  /// Host `a` with its `/api` routes delegated to `a-api`.
  static let delegatingRoot = """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: a, namespace: default}
    spec:
      hosts: [a]
      http:
      - match: [{uri: {prefix: /api}}]
        delegate: {name: a-api}
      - route: [{destination: {host: a, subset: v1}}]
    """

  static func delegate(subset: String) -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: a-api, namespace: default}
    spec:
      http:
      - route: [{destination: {host: a, subset: \(subset)}}]
    """
  }

  /// Host `a` sends `/e` to a service of namespace `other`.
  static let aToE = """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: a, namespace: default}
    spec:
      hosts: [a]
      http:
      - match: [{uri: {prefix: /e}}]
        route: [{destination: {host: e.other.svc.cluster.local}}]
      - route: [{destination: {host: a, subset: v1}}]
    """

  /// Service `e` of namespace `other`, and the root namespace's rule for it (consistent hash
  /// on `header`): the only rule a client of `default` gets for `e`.
  static func serviceE(hashHeader header: String) -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: e, namespace: other}
    spec:
      hosts: [e.other.svc.cluster.local]
      location: MESH_INTERNAL
      resolution: STATIC
      ports: [{number: 8080, name: http, protocol: HTTP}]
      endpoints: [{address: 10.0.5.1}]
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: e-hash, namespace: istio-system}
    spec:
      host: e.other.svc.cluster.local
      trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: \(header)}}}
    """
  }

  static let registryOnly = """
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata: {name: default, namespace: default}
    spec:
      outboundTrafficPolicy: {mode: REGISTRY_ONLY}
    """

  @Test func delegateChangeEncodesItsRootsHosts() throws {
    var before = Incremental.base
    before["a"] = Self.delegatingRoot
    before["a-api"] = Self.delegate(subset: "v1")
    var after = before
    after["a-api"] = Self.delegate(subset: "v2")
    let (previous, patched) = try Cache.patch(
      before: Incremental.mesh(before), after: Incremental.mesh(after),
      changed: Incremental.keys(["a-api"]))
    #expect(
      Cache.rebuilt(previous, patched)
        == ["8080/a.default.svc.cluster.local:8080", "9090/a.default.svc.cluster.local:9090"])
  }

  /// The base mesh with `a` routing `/e` to `e`.
  static var meshRoutingToE: String {
    var virtualServices = Incremental.base
    virtualServices["a"] = Self.aToE
    return Incremental.mesh(virtualServices)
  }

  @Test func ruleOfAnotherNamespaceEncodesTheHostsRoutingThere() throws {
    let mesh = Self.meshRoutingToE
    let (previous, patched) = try Cache.patch(
      before: mesh + "\n---\n" + Self.serviceE(hashHeader: "x-user"),
      after: mesh + "\n---\n" + Self.serviceE(hashHeader: "x-tenant"),
      changed: [ConfigKey(kind: .destinationRule, namespace: "istio-system", name: "e-hash")])
    try Self.expectRebuiltRoutesToE(previous, patched, hashHeader: "x-tenant")
  }

  /// Only the hosts routing to `e` were encoded again (`a` routes there on both ports, `e`'s
  /// own host by default), and `a`'s route to `e` hashes on `hashHeader`.
  static func expectRebuiltRoutesToE(
    _ previous: MeshTranslator, _ patched: MeshTranslator, hashHeader: String
  ) throws {
    #expect(
      Cache.rebuilt(previous, patched)
        == [
          "8080/a.default.svc.cluster.local:8080", "9090/a.default.svc.cluster.local:9090",
          "8080/e.other.svc.cluster.local:8080",
        ])
    let routes = patched.resources(for: Cache.sidecars[0], type: .route, requestedNames: nil)
    let config = try Meshes.decode(RouteConfiguration.self, routes["8080"])
    let toE = config.virtualHosts.first { $0.name == "a.default.svc.cluster.local:8080" }?
      .routes.first
    #expect(toE?.route.hashPolicy.first?.header.headerName == hashHeader)
  }

  /// A rule of the client's namespace for `e` (neither `e`'s namespace nor the root) wins over
  /// the root's for clients there: adding it re-encodes the hosts routing to `e`.
  @Test func ruleOfTheClientsNamespaceEncodesTheHostsRoutingThere() throws {
    let before = Self.meshRoutingToE + "\n---\n" + Self.serviceE(hashHeader: "x-user")
    let local = """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: e-local, namespace: default}
      spec:
        host: e.other.svc.cluster.local
        trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-local}}}
      """
    let (previous, patched) = try Cache.patch(
      before: before, after: before + "\n---\n" + local,
      changed: [ConfigKey(kind: .destinationRule, namespace: "default", name: "e-local")])
    try Self.expectRebuiltRoutesToE(previous, patched, hashHeader: "x-local")
  }

  @Test func registryOnlySidecarAssemblesBlockAll() throws {
    let before = Incremental.mesh(Incremental.base)
    let (_, patched) = try Cache.patch(
      before: before, after: before + "\n---\n" + Self.registryOnly,
      changed: [ConfigKey(kind: .sidecar, namespace: "default", name: "default")])
    for proxy in Cache.sidecars {
      let routes = patched.resources(for: proxy, type: .route, requestedNames: nil)
      let reference = patched.sidecarRouteConfigurationMessages(for: proxy)
      #expect(routes.count == reference.count && !reference.isEmpty)
      for expected in reference {
        let config = try Meshes.decode(RouteConfiguration.self, routes[expected.name])
        #expect(config == expected)
        #expect(config.virtualHosts.last?.name == "block_all")
      }
    }
  }

  /// Up front, every mesh host of a route configuration is its RDS host renamed
  /// `CONFIG/HOST:PORT`; on demand, `CONFIG/DOMAIN` is the host answering that domain, renamed
  /// and answering only it. Byte for byte what encoding the renamed message gives.
  @Test func vhdsSendsTheCachedHostsRenamed() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let rds = translator.resources(for: Meshes.envoy, type: .route, requestedNames: nil)
    var upFront = Meshes.envoy
    upFront.routeDelivery = .upFront
    var onDemand = Meshes.envoy
    onDemand.routeDelivery = .onDemand
    var checked = 0
    for resource in rds.sortedResources {
      let config = try Meshes.decode(RouteConfiguration.self, resource)
      let meshHosts = config.virtualHosts.filter { !$0.domains.contains("*") }
      #expect(!meshHosts.isEmpty)
      let sent = translator.resources(
        for: upFront, type: .virtualHost, requestedNames: [config.name])
      #expect(sent.count == meshHosts.count)
      for host in meshHosts {
        var renamed = host
        renamed.name = "\(config.name)/\(host.name)"
        let expected = try EncodedResource(
          name: renamed.name, type: .virtualHost, message: renamed)
        #expect(sent[renamed.name] == expected)
        checked += 1
        for domain in host.domains.prefix(2) {
          var alias = host
          alias.name = "\(config.name)/\(domain)"
          alias.domains = [domain]
          let answer = translator.resources(
            for: onDemand, type: .virtualHost, requestedNames: [alias.name])
          #expect(
            answer[alias.name]
              == (try EncodedResource(name: alias.name, type: .virtualHost, message: alias)))
        }
      }
    }
    #expect(checked >= 2)
  }

  @Test func leadingFieldsAreSkippedOnlyWhenWellFormed() {
    // name "ab", domain "c", then field 3.
    let bytes: [UInt8] = [0x0A, 2, 0x61, 0x62, 0x12, 1, 0x63, 0x1A, 0]
    #expect(EncodedVirtualHost.leadingFieldsEnd(of: bytes, through: 1) == 4)
    #expect(EncodedVirtualHost.leadingFieldsEnd(of: bytes, through: 2) == 7)
    // A length running past the end skips nothing from there on.
    #expect(EncodedVirtualHost.leadingFieldsEnd(of: [0x0A, 9, 0x61], through: 2) == 0)
    #expect(EncodedVirtualHost.leadingFieldsEnd(of: [0x0A, 0xFF], through: 2) == 0)
    #expect(EncodedVirtualHost.leadingFieldsEnd(of: [], through: 2) == 0)
  }
}
