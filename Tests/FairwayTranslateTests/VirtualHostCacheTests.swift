import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayTranslate
import Testing

/// A patched translation takes each sidecar virtual host from the previous one unless what the
/// host depends on changed: only the changed hosts are built and encoded again, the others are
/// the previous translation's bytes (same storage), and the result equals a fresh translation.
@Suite struct VirtualHostCacheTests {
  typealias Incremental = IncrementalVirtualServiceTests

  /// A sidecar of app `a` (a `sourceLabels` route matches it) and one of app `b`.
  static let sidecars = Array(IncrementalIndexTests.proxies.prefix(2))

  /// Where each virtual host's bytes live, by route config and host name.
  static func storage(_ translator: MeshTranslator, _ proxy: Proxy) -> [String: UnsafeRawPointer?] {
    var out: [String: UnsafeRawPointer?] = [:]
    for config in ["8080", "9090"] {
      for host in translator.encodedVirtualHosts(for: proxy, routeConfig: config) {
        out["\(config)/\(host.name)"] = host.bytes.withUnsafeBytes { $0.baseAddress }
      }
    }
    return out
  }

  /// Patches `before` (VirtualServices by name) with the objects `changed` names as `after`
  /// has them, after asking the previous translation for every sidecar's routes; checks the
  /// patched routes against a fresh translation's and returns both translations.
  static func patch(
    before: String, after: String, changed: Set<ConfigKey>
  ) throws -> (previous: MeshTranslator, patched: MeshTranslator) {
    let previous = MeshTranslator(snapshot: try Meshes.snapshot(before, revision: 1))
    for proxy in sidecars { _ = previous.resources(for: proxy, type: .route, requestedNames: nil) }
    let snapshot = try Meshes.snapshot(after, revision: 2)
    let patched = try Meshes.translation(
      updating: previous, with: .snapshot(snapshot, changed: changed))
    let fresh = MeshTranslator(snapshot: snapshot)
    for proxy in sidecars {
      for type in [XDSResourceType.route, .listener] {
        #expect(
          patched.resources(for: proxy, type: type, requestedNames: nil)
            == fresh.resources(for: proxy, type: type, requestedNames: nil), "\(proxy.id) \(type)")
      }
    }
    return (previous, patched)
  }

  /// The hosts whose storage differs between the two translations, for every sidecar.
  static func rebuilt(_ previous: MeshTranslator, _ patched: MeshTranslator) -> Set<String> {
    var out: Set<String> = []
    for proxy in sidecars {
      let before = storage(previous, proxy)
      for (name, address) in storage(patched, proxy) where before[name] != address {
        out.insert(name)
      }
    }
    return out
  }

  @Test func virtualServiceChangeEncodesOnlyItsHost() throws {
    var after = Incremental.base
    after["a"] = Incremental.weighted("a", host: "a", v1: 10)
    let (previous, patched) = try Self.patch(
      before: Incremental.mesh(Incremental.base), after: Incremental.mesh(after),
      changed: Incremental.keys(["a"]))
    // Host a on both HTTP-shaped ports, once per outbound key (the two apps differ in the
    // label a route matches on).
    #expect(
      Self.rebuilt(previous, patched)
        == ["8080/a.default.svc.cluster.local:8080", "9090/a.default.svc.cluster.local:9090"])
    #expect(patched.encodedVirtualHostCount == 4)
    #expect(previous.encodedVirtualHostCount == 12)
  }

  @Test func destinationRuleChangeEncodesHostsThatRouteThere() throws {
    // `b-from-a` routes b to b's subsets; a consistent hash on b's rule reaches those routes.
    let hashed = IncrementalIndexTests.service("b").replacingOccurrences(
      of: "subsets: [{name: v1",
      with:
        "trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}\n  subsets: [{name: v1"
    )
    let before = Incremental.mesh(Incremental.base)
    let after = before.replacingOccurrences(
      of: IncrementalIndexTests.service("b"), with: hashed)
    #expect(after != before)
    let (previous, patched) = try Self.patch(
      before: before, after: after,
      changed: [ConfigKey(kind: .destinationRule, namespace: "default", name: "b")])
    #expect(
      Self.rebuilt(previous, patched)
        == ["8080/b.default.svc.cluster.local:8080", "9090/b.default.svc.cluster.local:9090"])
  }

  @Test func workloadChangeEncodesNoHost() throws {
    let before = Incremental.mesh(Incremental.base)
    let moved = IncrementalIndexTests.workload("c-1", address: "10.0.2.1", app: "c", version: "v2")
    let after = before.replacingOccurrences(
      of: moved, with: moved.replacingOccurrences(of: "10.0.2.1", with: "10.0.2.9"))
    #expect(after != before)
    let (previous, patched) = try Self.patch(
      before: before, after: after,
      changed: [ConfigKey(kind: .workloadEntry, namespace: "default", name: "c-1")])
    #expect(Self.rebuilt(previous, patched).isEmpty)
    #expect(patched.encodedVirtualHostCount == 0)
  }

  @Test func hostsSurviveATranslationThatBuiltNoRoutes() throws {
    // A WorkloadEntry patch that nobody asks for routes, then a VirtualService patch: the
    // hosts of the translation before both are still reused.
    let first = MeshTranslator(
      snapshot: try Meshes.snapshot(Incremental.mesh(Incremental.base), revision: 1))
    let proxy = Self.sidecars[1]
    _ = first.resources(for: proxy, type: .route, requestedNames: nil)
    let middle = try Meshes.translation(
      updating: first,
      with: .objects(
        [ConfigKey(kind: .workloadEntry, namespace: "default", name: "z-1"): nil], revision: 2))
    var after = Incremental.base
    after["a"] = Incremental.weighted("a", host: "a", v1: 40)
    let snapshot = try Meshes.snapshot(Incremental.mesh(after), revision: 3)
    let last = try Meshes.translation(
      updating: middle, with: .snapshot(snapshot, changed: Incremental.keys(["a"])))
    #expect(
      last.resources(for: proxy, type: .route, requestedNames: nil)
        == MeshTranslator(snapshot: snapshot).resources(
          for: proxy, type: .route, requestedNames: nil))
    #expect(last.encodedVirtualHostCount == 2)
  }

  @Test func virtualHostsAreTheRouteConfigsParts() throws {
    let translator = try Meshes.translator(Meshes.bookinfo)
    let routes = translator.resources(for: Meshes.envoy, type: .route, requestedNames: nil)
    #expect(!routes.isEmpty)
    for resource in routes.sortedResources {
      let config = try Meshes.decode(Envoy_Config_Route_V3_RouteConfiguration.self, resource)
      let hosts = translator.encodedVirtualHosts(for: Meshes.envoy, routeConfig: resource.name)
      #expect(hosts.map(\.name) == config.virtualHosts.map(\.name))
      for (encoded, decoded) in zip(hosts, config.virtualHosts) {
        #expect(try Envoy_Config_Route_V3_VirtualHost(serializedBytes: encoded.bytes) == decoded)
        #expect(encoded.domains == decoded.domains)
      }
      let first = try #require(config.virtualHosts.first?.domains.first)
      #expect(
        translator.encodedVirtualHost(
          for: Meshes.envoy, routeConfig: resource.name, domain: first)?.name
          == config.virtualHosts.first?.name)
    }
  }
}
