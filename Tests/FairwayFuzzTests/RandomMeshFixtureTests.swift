import FairwayMesh
import FairwayResources
import FairwayStore
import FairwayTranslate
import Foundation
import PropertyBased
import Testing

/// Generated meshes are valid (the parser and store take them) and translate for every client;
/// and N of them are written to `.build/fixtures/random-meshes/` for the real-Envoy acceptance
/// gate (Tests/interop/test_envoy_acceptance.py). `FAIRWAY_RANDOM_MESHES` sets N (25 by
/// default, `make envoy-gate` writes 200); `FAIRWAY_RANDOM_SEED` picks another series.
@Suite struct RandomMeshFixtureTests {
  static var count: Int {
    ProcessInfo.processInfo.environment["FAIRWAY_RANDOM_MESHES"].flatMap(Int.init) ?? 25
  }

  static var firstSeed: UInt64 {
    ProcessInfo.processInfo.environment["FAIRWAY_RANDOM_SEED"].flatMap(UInt64.init) ?? 0
  }

  /// Parses, stores and translates one generated mesh; the objects it holds.
  static func accept(_ yaml: String) throws -> Int {
    let parsed = try ConfigParser().parse(Data(yaml.utf8), format: .auto)
    let store = InMemoryConfigStore()
    try store.apply(parsed.objects)
    let translator = MeshTranslator(snapshot: store.snapshot())
    for client in [Proxy.Client.envoy, .grpc, .mosn] {
      let proxy = Proxy(id: "gen", client: client, ipAddresses: ["10.88.0.1"])
      for type in XDSResourceType.allCases {
        _ = translator.resources(for: proxy, type: type, requestedNames: nil)
      }
    }
    return parsed.objects.count
  }

  @Test func generatedMeshesAreValid() async {
    await propertyCheck(count: FuzzSettings.count, input: Gen.int(in: 0...1_000_000)) { seed in
      let yaml = MeshGenerator.yaml(seed: UInt64(seed))
      do {
        #expect(try Self.accept(yaml) > 0)
      } catch {
        Issue.record("seed \(seed): \(error)\n\(yaml)")
      }
    }
  }

  @Test func writeRandomMeshes() throws {
    let directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
      .appendingPathComponent(".build/fixtures/random-meshes")
    try? FileManager.default.removeItem(at: directory)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    for offset in 0..<Self.count {
      let seed = Self.firstSeed + UInt64(offset)
      let yaml = MeshGenerator.yaml(seed: seed)
      _ = try Self.accept(yaml)
      let name = String(format: "mesh-%06llu.yaml", seed)
      try Data(yaml.utf8).write(to: directory.appendingPathComponent(name))
    }
  }
}
