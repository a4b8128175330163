import FairwayMesh
import FairwayResources
import FairwayStore
import FairwayTranslate
import Foundation
import Testing

/// The engine the push coordinator drives: scopes judged against the latest translation, and
/// the one update entry point for objects and snapshots.
@Suite struct TranslationEngineTests {
  static let dubboRoute = """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: demo, namespace: default}
    spec:
      hosts: [mosn.io.dubbo.DemoService]
      http:
      - match: [{method: {exact: sayHello}}]
        route: [{destination: {host: mosn.io.dubbo.DemoService, subset: blue}}]
    """

  static func object(_ yaml: String) throws -> ConfigObject {
    try #require(try ConfigParser().parse(Data(yaml.utf8), format: .yaml).objects.first)
  }

  /// The push table learns which hosts are Dubbo from the engine's latest translation: before
  /// any, the route looks like an HTTP one (listeners and routes); after the mesh with the Dubbo
  /// service is translated, it is a Dubbo route push that leaves listeners alone.
  @Test func scopeFollowsTheLatestTranslation() throws {
    let engine = TranslationEngine()
    let route = try Self.object(Self.dubboRoute)
    let event = ConfigEvent(key: route.key, old: nil, new: route, revision: 2)
    #expect(engine.changeScope(of: event).types == [.listener, .route, .virtualHost])
    _ = engine.translation(of: try PushTableTests.snapshot(PushTableTests.base, revision: 1))
    #expect(engine.changeScope(of: event).types == [.route, .dubboRoute])
  }

  /// A WorkloadEntry of a DNS-resolved service reaches CDS (its endpoints are inlined in the
  /// cluster); one of a STATIC service reaches EDS only. Both as the index selects workloads.
  @Test func workloadScopeUsesTheIndexSelection() throws {
    let engine = TranslationEngine()
    _ = engine.translation(of: try PushTableTests.snapshot(PushTableTests.base, revision: 1))
    func scope(_ yaml: String) throws -> Set<XDSResourceType> {
      let entry = try Self.object(yaml)
      return engine.changeScope(of: ConfigEvent(key: entry.key, old: nil, new: entry, revision: 2))
        .types
    }
    let dns = """
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: httpbin-2, namespace: default}
      spec: {address: httpbin-2.mesh.local, labels: {app: httpbin, extra: x}}
      """
    let elsewhere = """
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: httpbin-2, namespace: other}
      spec: {address: httpbin-2.mesh.local, labels: {app: httpbin}}
      """
    let staticService = """
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: reviews-2, namespace: default}
      spec: {address: 10.1.0.2, labels: {app: reviews}}
      """
    #expect(try scope(dns) == [.endpoint, .cluster])
    #expect(try scope(elsewhere) == [.endpoint])
    #expect(try scope(staticService) == [.endpoint])
  }

  /// Objects patch like the same change given as a snapshot, and serve what a fresh
  /// translation serves; a ServiceEntry cannot be patched without a snapshot.
  @Test func objectsPatchServesWhatAFreshTranslationServes() throws {
    let engine = TranslationEngine()
    let before = try PushTableTests.snapshot(PushTableTests.base, revision: 1)
    let previous = engine.translation(of: before)
    let route = try Self.object(Self.dubboRoute)
    let after = try PushTableTests.snapshot(
      PushTableTests.base, applying: Self.dubboRoute, revision: 2)
    #expect(engine.canPatch([route.key]))
    let patched = try #require(
      engine.translation(updating: previous, with: .objects([route.key: route], revision: 2)))
    #expect(patched.revision == 2)
    let fresh = engine.translation(of: after)
    for proxy in PushTableTests.proxies {
      for type in XDSResourceType.allCases {
        #expect(
          patched.resources(for: proxy, type: type, requestedNames: nil)
            == fresh.resources(for: proxy, type: type, requestedNames: nil), "\(type)")
      }
    }
    let entry = ConfigKey(kind: .serviceEntry, namespace: "default", name: "demo")
    #expect(!engine.canPatch([entry]))
    #expect(
      engine.translation(updating: previous, with: .objects([entry: nil], revision: 3)) == nil)
    let rebuilt = try #require(
      engine.translation(updating: previous, with: .snapshot(after, changed: [entry])))
    #expect(rebuilt.revision == 2)
  }
}
