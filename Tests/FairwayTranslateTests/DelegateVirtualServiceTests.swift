import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayStore
import FairwayTranslate
import Foundation
import Testing

/// Delegate VirtualServices (istiod's merge of root and delegate routes) and the choice among
/// several VirtualServices for one host on sidecars.
@Suite struct DelegateVirtualServiceTests {
  typealias RouteConfiguration = Envoy_Config_Route_V3_RouteConfiguration
  typealias Route = Envoy_Config_Route_V3_Route

  static let services = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: web, namespace: front}
    spec:
      hosts: [web.front.svc.cluster.local]
      resolution: STATIC
      ports: [{number: 80, name: http, protocol: HTTP}]
      endpoints: [{address: 10.8.0.1, labels: {version: v1}}, {address: 10.8.0.2, labels: {version: v2}}]
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: orders, namespace: team-b}
    spec:
      hosts: [orders.team-b.svc.cluster.local]
      resolution: STATIC
      ports: [{number: 80, name: http, protocol: HTTP}]
      endpoints: [{address: 10.8.1.1}]
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: web, namespace: front}
    spec:
      host: web.front.svc.cluster.local
      subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
    """

  static let root = """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: web, namespace: front}
    spec:
      hosts: [web.front.svc.cluster.local]
      http:
      - name: a
        match: [{uri: {prefix: /a}}]
        timeout: 3s
        delegate: {name: web-a}
      - name: b
        match: [{uri: {prefix: /b}}]
        delegate: {name: orders-routes, namespace: team-b}
      - route: [{destination: {host: web.front.svc.cluster.local, subset: v1}}]
    """

  static let delegateA = """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: web-a, namespace: front}
    spec:
      http:
      - name: canary
        match: [{headers: {x-canary: {exact: "yes"}}}]
        route: [{destination: {host: web, subset: v2}}]
      - name: outside
        match: [{uri: {prefix: /z}}]
        route: [{destination: {host: web, subset: v2}}]
      - name: rest
        route: [{destination: {host: web, subset: v1}}]
    """

  static let delegateB = """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: orders-routes, namespace: team-b}
    spec:
      http:
      - match: [{uri: {prefix: /b/v2}}]
        route: [{destination: {host: orders}}]
    """

  static func join(_ parts: String...) -> String { parts.joined(separator: "\n---\n") }

  static let client = Proxy(
    id: "sidecar~10.9.0.1~client.front~front.svc.cluster.local", ipAddresses: ["10.9.0.1"],
    namespace: "front")

  func routes(_ yaml: String) throws -> [Route] {
    let translator = try Meshes.translator(yaml)
    return try routes(translator)
  }

  func routes(_ translator: MeshTranslator) throws -> [Route] {
    let set = translator.resources(for: Self.client, type: .route, requestedNames: nil)
    let config = try Meshes.decode(RouteConfiguration.self, set["80"])
    let host = try #require(
      config.virtualHosts.first { $0.name == "web.front.svc.cluster.local:80" })
    return host.routes
  }

  @Test func delegateRoutesMergeUnderTheRootMatch() throws {
    let routes = try routes(Self.join(Self.services, Self.root, Self.delegateA, Self.delegateB))
    #expect(routes.map(\.name) == ["a-canary", "a-rest", "b", ""])
    // Root prefix + the delegate's header; the root's timeout where the delegate sets none.
    let canary = routes[0]
    #expect(canary.match.prefix == "/a")
    #expect(canary.match.headers.map(\.name) == ["x-canary"])
    #expect(canary.match.headers.first?.stringMatch.exact == "yes")
    #expect(canary.route.cluster == "outbound|80|v2|web.front.svc.cluster.local")
    #expect(canary.route.timeout.seconds == 3)
    // `/z` is outside the root's `/a`: a conflict, dropped.
    #expect(!routes.contains { $0.match.prefix == "/z" })
    #expect(routes[1].match.prefix == "/a")
    #expect(routes[1].route.cluster == "outbound|80|v1|web.front.svc.cluster.local")
    // The delegate's narrower prefix wins; its short host is resolved in its own namespace.
    #expect(routes[2].match.prefix == "/b/v2")
    #expect(routes[2].route.cluster == "outbound|80||orders.team-b.svc.cluster.local")
    #expect(routes[3].match.prefix == "/")
  }

  @Test func missingOrUnexportedDelegateDropsOnlyItsRoute() throws {
    let hidden = Self.delegateB.replacingOccurrences(
      of: "spec:\n", with: "spec:\n  exportTo: [\".\"]\n")
    let routes = try routes(Self.join(Self.services, Self.root, hidden))
    // web-a is missing, orders-routes is exported only to team-b: only the root's own route.
    #expect(routes.map(\.match.prefix) == ["/"])
    #expect(routes.map(\.route.cluster) == ["outbound|80|v1|web.front.svc.cluster.local"])
  }

  @Test func aDelegateIsNotBoundToAnyHostItself() throws {
    // A delegate naming no root: no host gets its routes (web keeps its default route).
    let routes = try routes(Self.join(Self.services, Self.delegateA))
    #expect(routes.map(\.name) == ["default"])
  }

  /// A delegate change reaches the proxies through the VirtualService patch: the root's host
  /// gets the new delegate routes without its own config changing.
  @Test func delegateChangeRebuildsTheRootsRoutes() throws {
    let before = try Meshes.translator(
      Self.join(Self.services, Self.root, Self.delegateA, Self.delegateB))
    let changed = Self.delegateA.replacingOccurrences(of: "subset: v2", with: "subset: v1")
    let object = try #require(try ConfigParser().parse(Data(changed.utf8)).objects.first)
    let after = try Meshes.translation(
      updating: before, with: .objects([object.key: object], revision: 2))
    let routes = try routes(after)
    #expect(routes[0].name == "a-canary")
    #expect(routes[0].route.cluster == "outbound|80|v1|web.front.svc.cluster.local")
  }

  // MARK: - Several VirtualServices for one host (sidecars)

  static func virtualService(name: String, namespace: String = "front", subset: String) -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: \(name), namespace: \(namespace)}
    spec:
      hosts: [web.front.svc.cluster.local]
      http:
      - route: [{destination: {host: web.front.svc.cluster.local, subset: \(subset)}}]
    """
  }

  /// Objects as the store keeps them: with the creation time it stamped.
  static func snapshot(_ documents: [(String, String)]) throws -> MeshSnapshot {
    var objects: [ConfigObject] = []
    for (yaml, created) in documents {
      for var object in try ConfigParser().parse(Data(yaml.utf8)).objects {
        object.metadata.creationTimestamp = created
        objects.append(object)
      }
    }
    return MeshSnapshot(revision: 1, objects: objects)
  }

  struct ChoiceCase: Sendable, CustomTestStringConvertible {
    let name: String
    /// (name, namespace, subset, creation time)
    let configs: [(String, String, String, String)]
    let winner: String
    var testDescription: String { name }
  }

  static let choiceCases: [ChoiceCase] = [
    ChoiceCase(
      name: "the oldest wins though its name sorts last",
      configs: [
        ("zz-old", "front", "v1", "2026-01-01T00:00:00Z"),
        ("aa-new", "front", "v2", "2026-06-01T00:00:00Z"),
      ], winner: "v1"),
    ChoiceCase(
      name: "same second: by name",
      configs: [
        ("bbb", "front", "v1", "2026-01-01T00:00:00Z"),
        ("aaa", "front", "v2", "2026-01-01T00:00:00Z"),
      ], winner: "v2"),
    ChoiceCase(
      name: "same second and name: by namespace",
      configs: [
        ("web-routes", "zeta", "v1", "2026-01-01T00:00:00Z"),
        ("web-routes", "alpha", "v2", "2026-01-01T00:00:00Z"),
      ], winner: "v2"),
  ]

  @Test(arguments: choiceCases)
  func oldestVirtualServiceWinsOnSidecars(_ sample: ChoiceCase) throws {
    var documents = [(Self.services, "2025-01-01T00:00:00Z")]
    for (name, namespace, subset, created) in sample.configs {
      documents.append(
        (Self.virtualService(name: name, namespace: namespace, subset: subset), created))
    }
    let translator = MeshTranslator(snapshot: try Self.snapshot(documents))
    let routes = try routes(translator)
    #expect(
      routes.map(\.route.cluster) == ["outbound|80|\(sample.winner)|web.front.svc.cluster.local"])
  }

  /// The precedence function the gateway builder plugs into: one for the mesh, all (in order)
  /// for a gateway.
  @Test func choiceByBinding() throws {
    let snapshot = try Self.snapshot([
      (Self.virtualService(name: "new", subset: "v2"), "2026-06-01T00:00:00Z"),
      (Self.virtualService(name: "old", subset: "v1"), "2026-01-01T00:00:00Z"),
    ])
    let ordered = VirtualServicePrecedence.ordered(snapshot.virtualServices)
    #expect(ordered.map(\.name) == ["old", "new"])
    let mesh = VirtualServicePrecedence.choose(ordered, boundTo: .mesh)
    #expect(mesh.applied.map(\.name) == ["old"])
    #expect(mesh.dropped.map(\.name) == ["new"])
    let gateway = VirtualServicePrecedence.choose(ordered, boundTo: .gateway("front/gw"))
    #expect(gateway.applied.map(\.name) == ["old", "new"])
    #expect(gateway.dropped.isEmpty)
  }
}
