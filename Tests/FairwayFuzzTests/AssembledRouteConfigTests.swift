import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayTranslate
import Foundation
import PropertyBased
import SwiftProtobuf
import Testing

/// Sidecar route configurations assembled from cached encoded virtual hosts are the bytes that
/// serializing the whole message gives (so Envoy decodes the same thing), in generated meshes;
/// and after VirtualService and DestinationRule patches that reuse hosts, they are what a fresh
/// translation assembles.
@Suite struct AssembledRouteConfigTests {
  static let proxies = [
    Proxy(id: "sidecar~10.99.0.1~p.default~default.svc.cluster.local", ipAddresses: ["10.99.0.1"]),
    Proxy(
      id: "sidecar~10.99.0.2~p.shop~shop.svc.cluster.local", ipAddresses: ["10.99.0.2"],
      namespace: "shop", labels: ["app": "gen0"]),
    Proxy(
      id: "sidecar~10.99.0.3~p.default~default.svc.cluster.local", ipAddresses: ["10.99.0.3"],
      interceptionMode: Proxy.InterceptionMode.none),
    Proxy(id: "mosn", client: .mosn, ipAddresses: ["10.99.0.4"]),
  ]

  static func objects(seed: UInt64) throws -> [ConfigObject] {
    try ConfigParser().parse(Data(MeshGenerator.yaml(seed: seed).utf8), format: .auto).objects
  }

  /// Every sidecar's route resources are the deterministic serialization of the messages
  /// built whole.
  static func expectAssembledEqualsWhole(_ translator: MeshTranslator, seed: UInt64) throws {
    var options = BinaryEncodingOptions()
    options.useDeterministicOrdering = true
    for proxy in proxies {
      let assembled = translator.resources(for: proxy, type: .route, requestedNames: nil)
      let whole = translator.sidecarRouteConfigurationMessages(for: proxy)
      #expect(
        assembled.names.sorted() == whole.map(\.name).sorted(),
        "seed \(seed) \(proxy.id)")
      for message in whole {
        let resource = try #require(assembled[message.name], "seed \(seed)")
        let decoded = try Envoy_Config_Route_V3_RouteConfiguration(serializedBytes: resource.bytes)
        #expect(decoded == message, "seed \(seed) \(proxy.id) \(message.name)")
        let bytes: [UInt8] = try message.serializedBytes(options: options)
        #expect(resource.bytes == bytes, "seed \(seed) \(proxy.id) \(message.name)")
      }
    }
  }

  /// A Delta Envoy sidecar taking every virtual host up front by VHDS: what its wildcard
  /// brings is the whole VHDS catalog, which a patched translation reuses.
  static let upFrontVHDS: Proxy = {
    var proxy = Proxy(
      id: "sidecar~10.99.0.5~p.default~default.svc.cluster.local", ipAddresses: ["10.99.0.5"])
    proxy.requestedRouteDelivery = .upFront
    return proxy.overStream(delta: true)
  }()

  /// Route resources of a patched translation equal a fresh translation's, and so do the
  /// virtual hosts a VHDS sidecar holds.
  static func expectSameRoutes(_ patched: MeshTranslator, _ fresh: MeshTranslator, _ note: String) {
    for proxy in proxies {
      for type in [XDSResourceType.route, .listener] {
        #expect(
          patched.resources(for: proxy, type: type, requestedNames: nil)
            == fresh.resources(for: proxy, type: type, requestedNames: nil),
          "\(note) \(proxy.id) \(type)")
      }
    }
    // Compared to a Bool first: a failure prints the note, not two whole sets of bytes.
    let sameHosts =
      patched.resources(for: upFrontVHDS, type: .virtualHost, requestedNames: ["*"])
      == fresh.resources(for: upFrontVHDS, type: .virtualHost, requestedNames: ["*"])
    #expect(sameHosts, "\(note) VHDS")
  }

  @Test func assembledRouteConfigsEqualWholeMessages() async {
    await propertyCheck(count: FuzzSettings.count, input: Gen.int(in: 0...1_000_000)) { seed in
      do {
        let snapshot = MeshSnapshot(revision: 1, objects: try Self.objects(seed: UInt64(seed)))
        try Self.expectAssembledEqualsWhole(MeshTranslator(snapshot: snapshot), seed: UInt64(seed))
      } catch {
        Issue.record("seed \(seed): \(error)")
      }
    }
  }

  /// Each VirtualService, DestinationRule or WorkloadEntry of a generated mesh is deleted, then
  /// put back, each step patching the translation before it (carrying encoded hosts, route
  /// plans and VHDS catalogs); every step equals a fresh translation.
  @Test func patchesThatReuseHostsMatchFreshTranslations() async {
    await propertyCheck(count: FuzzSettings.count / 3, input: Gen.int(in: 0...1_000_000)) {
      seed in
      do {
        let all = try Self.objects(seed: UInt64(seed))
        let engine = TranslationEngine()
        var revision: Int64 = 1
        var current = try #require(
          engine.translation(of: MeshSnapshot(revision: revision, objects: all)) as? MeshTranslator)
        for proxy in Self.proxies {
          _ = current.resources(for: proxy, type: .route, requestedNames: nil)
        }
        _ = current.resources(for: Self.upFrontVHDS, type: .virtualHost, requestedNames: ["*"])
        // WorkloadEntries too: their patches re-resolve services, which the carried route
        // plans must follow.
        let patchable: Set<ConfigKind> = [.virtualService, .destinationRule, .workloadEntry]
        let rules = all.filter { patchable.contains($0.key.kind) }
        for object in rules {
          for objects in [all.filter { $0.key != object.key }, all] {
            revision += 1
            let snapshot = MeshSnapshot(revision: revision, objects: objects)
            current = try #require(
              engine.translation(
                updating: current, with: .snapshot(snapshot, changed: [object.key]))
                as? MeshTranslator)
            Self.expectSameRoutes(
              current, MeshTranslator(snapshot: snapshot), "seed \(seed) \(object.key)")
          }
        }
      } catch {
        Issue.record("seed \(seed): \(error)")
      }
    }
  }
}
