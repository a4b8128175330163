import FairwayMesh
import FairwayResources
import FairwayTranslate
import Foundation
import Testing

/// A VirtualService-only change patches the previous translation's VirtualService lookups;
/// everything it then builds must equal a translation built from scratch.
@Suite struct IncrementalVirtualServiceTests {
  static func weighted(_ name: String, host: String, v1: Int) -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: \(name), namespace: default}
    spec:
      hosts: [\(host)]
      http:
      - route:
        - {destination: {host: \(host), subset: v1}, weight: \(v1)}
        - {destination: {host: \(host), subset: v2}, weight: \(100 - v1)}
        timeout: 3s
    """
  }

  static let bySourceLabels = """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: b-from-a, namespace: default}
    spec:
      hosts: [b]
      http:
      - match: [{sourceLabels: {app: a}}]
        route: [{destination: {host: b, subset: v1}}]
      - route: [{destination: {host: b, subset: v2}}]
    """

  static let tcp = """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: c-tcp, namespace: default}
    spec:
      hosts: [c.default.svc.cluster.local]
      tcp:
      - match: [{port: 9090}]
        route: [{destination: {host: c, subset: v2, port: {number: 9090}}}]
    """

  static let gatewayOnly = """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: a-at-gateway, namespace: default}
    spec:
      hosts: [a]
      gateways: [ingress]
      http: [{route: [{destination: {host: a, subset: v2}}]}]
    """

  /// A VirtualService for every host `pattern` matches, sending to `a`'s `subset`.
  static func wildcard(_ name: String, pattern: String, subset: String = "v2") -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: \(name), namespace: default}
    spec:
      hosts: ["\(pattern)"]
      http: [{route: [{destination: {host: a, subset: \(subset)}}]}]
    """
  }

  /// Like `bySourceLabels`, for host `c`.
  static let cBySourceLabels = bySourceLabels.replacingOccurrences(of: "b-from-a", with: "c-from-a")
    .replacingOccurrences(of: "hosts: [b]", with: "hosts: [c]")
    .replacingOccurrences(of: "host: b,", with: "host: c,")

  static let base: [String: String] = [
    "a": weighted("a", host: "a", v1: 80),
    "b-from-a": bySourceLabels,
    "a-at-gateway": gatewayOnly,
  ]

  static func mesh(_ virtualServices: [String: String]) -> String {
    ([
      IncrementalIndexTests.service("a"), IncrementalIndexTests.service("b"),
      IncrementalIndexTests.service("c"),
    ]
      + IncrementalIndexTests.base.keys.sorted().compactMap { IncrementalIndexTests.base[$0] }
      + virtualServices.keys.sorted().compactMap { virtualServices[$0] })
      .joined(separator: "\n---\n")
  }

  /// Applies `edit` to the base VirtualServices and checks the patched translation against a
  /// fresh one, for sidecars with and without the labels a route matches on and a gRPC client.
  func check(from base: [String: String] = Self.base, _ edit: (inout [String: String]) -> Void)
    throws
  {
    let (after, edited) = IncrementalIndexTests.applying(edit, to: base)
    let changed = Self.keys(edited)
    let (patched, fresh) = try IncrementalIndexTests.expectPatchMatchesFresh(
      before: Self.mesh(base), after: Self.mesh(after), changed: changed)
    let names: Set<String> = [
      "a.default.svc.cluster.local:8080", "b.default.svc.cluster.local:8080",
    ]
    for type in [XDSResourceType.listener, .route] {
      let grpc = IncrementalIndexTests.proxies[2]
      #expect(
        patched.resources(for: grpc, type: type, requestedNames: ResourceNames(names))
          == fresh.resources(for: grpc, type: type, requestedNames: ResourceNames(names)))
    }
  }

  static func keys(_ names: [String]) -> Set<ConfigKey> {
    Set(names.map { ConfigKey(kind: .virtualService, namespace: "default", name: $0) })
  }

  /// Applies `edits` one after another, each patching the translation the one before patched.
  @discardableResult
  func checkChain(
    from base: [String: String] = Self.base, _ edits: [(inout [String: String]) -> Void]
  ) throws -> MeshTranslator {
    try IncrementalIndexTests.expectChainMatchesFresh(
      from: base, edits, mesh: Self.mesh, keys: Self.keys)
  }

  @Test func changedWeights() throws {
    try check { $0["a"] = Self.weighted("a", host: "a", v1: 10) }
  }

  @Test func deletedSourceLabelRoute() throws {
    // The only VirtualService matching on labels goes: sidecars no longer differ by label.
    try check { $0["b-from-a"] = nil }
  }

  @Test func firstSourceLabelRoute() throws {
    // Until now no route depended on proxy labels, so sidecars of a namespace shared routes.
    var base = Self.base
    base["b-from-a"] = nil
    try check(from: base) { $0["b-from-a"] = Self.bySourceLabels }
  }

  @Test func addedTCPRoute() throws {
    try check { $0["c-tcp"] = Self.tcp }
  }

  @Test func movedToAnotherHost() throws {
    try check {
      $0["a"] = nil
      $0["b-weights"] = Self.weighted("b-weights", host: "b", v1: 50)
    }
  }

  @Test func newVirtualServiceSortingFirstWinsTheHost() throws {
    // Two VirtualServices for one host: the first by key wins, as in a snapshot.
    try check { $0["0-a"] = Self.weighted("0-a", host: "a", v1: 30) }
  }

  @Test func gatewayRouteBecomesMeshRoute() throws {
    try check {
      $0["a-at-gateway"] = Self.gatewayOnly.replacingOccurrences(
        of: "gateways: [ingress]", with: "gateways: [ingress, mesh]")
    }
  }

  @Test func addedWildcardRoutesHostsWithoutTheirOwn() throws {
    // `a` keeps its exact VirtualService; `b` and `c` take the wildcard.
    try check { $0["any"] = Self.wildcard("any", pattern: "*.default.svc.cluster.local") }
  }

  @Test func exactRouteGoesAndTheWildcardTakesOver() throws {
    var base = Self.base
    base["any"] = Self.wildcard("any", pattern: "*.default.svc.cluster.local")
    try check(from: base) { $0["a"] = nil }
  }

  @Test func longerWildcardBeatsShorter() throws {
    var base = Self.base
    base["all"] = Self.wildcard("all", pattern: "*.cluster.local", subset: "v1")
    try check(from: base) { $0["svc"] = Self.wildcard("svc", pattern: "*.svc.cluster.local") }
  }

  @Test func wildcardAndExactHostInOneVirtualService() throws {
    try check {
      $0["both"] = Self.wildcard("both", pattern: "*.cluster.local")
        .replacingOccurrences(
          of: #"hosts: ["*.cluster.local"]"#, with: #"hosts: [c, "*.cluster.local"]"#)
    }
  }

  @Test func sourceLabelKeyStaysWhileAnotherRouteUsesIt() throws {
    // Two VirtualServices match on `app`; the key matters until the second one goes too.
    let last = try checkChain([
      { $0["c-from-a"] = Self.cBySourceLabels },
      { $0["b-from-a"] = nil },
      { $0["c-from-a"] = nil },
    ])
    // With no route matching on labels left, sidecars of other apps share one route config
    // (same storage), as in a fresh translation.
    let (a, b) = (IncrementalIndexTests.proxies[0], IncrementalIndexTests.proxies[1])
    let storage = [a, b].map { proxy in
      last.resources(for: proxy, type: .route, requestedNames: ["8080"])["8080"]?.anyBytes
        .withUnsafeBufferPointer { $0.baseAddress }
    }
    #expect(storage[0] != nil && storage[0] == storage[1])
  }

  @Test func chainOfEditsOverWildcardsAndExactHosts() throws {
    let pool: [(name: String, document: String?)] = [
      ("a", Self.weighted("a", host: "a", v1: 40)),
      ("any", Self.wildcard("any", pattern: "*.default.svc.cluster.local")),
      ("b-from-a", nil),
      ("all", Self.wildcard("all", pattern: "*.cluster.local", subset: "v1")),
      ("c-from-a", Self.cBySourceLabels),
      ("a", nil),
      ("any", nil),
      ("0-b", Self.weighted("0-b", host: "b", v1: 90)),
      ("b-from-a", Self.bySourceLabels),
      ("any", Self.wildcard("any", pattern: "*.default.svc.cluster.local", subset: "v1")),
      ("all", nil),
      ("a", Self.weighted("a", host: "a", v1: 5)),
      ("0-b", nil),
    ]
    try checkChain(IncrementalIndexTests.walk(pool))
  }
}
