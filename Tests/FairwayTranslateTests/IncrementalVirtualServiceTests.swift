import FairwayMesh
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
    let changed = Set(
      edited.map { ConfigKey(kind: .virtualService, namespace: "default", name: $0) })
    let (patched, fresh) = try IncrementalIndexTests.expectPatchMatchesFresh(
      before: Self.mesh(base), after: Self.mesh(after), changed: changed)
    let names: Set<String> = [
      "a.default.svc.cluster.local:8080", "b.default.svc.cluster.local:8080",
    ]
    for type in [XDSResourceType.listener, .route] {
      let grpc = IncrementalIndexTests.proxies[2]
      #expect(
        patched.resources(for: grpc, type: type, requestedNames: names)
          == fresh.resources(for: grpc, type: type, requestedNames: names))
    }
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
}
