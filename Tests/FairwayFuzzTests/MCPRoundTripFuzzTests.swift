import FairwayMCP
import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayTranslate
import Foundation
import PropertyBased
import Testing

/// Generated meshes survive the MCP encoding: the mesh translates to the same Envoy resources,
/// and a second trip changes no object.
@Suite struct MCPRoundTripFuzzTests {
  @Test func generatedMeshesRoundTripThroughMCP() async {
    await propertyCheck(count: min(FuzzSettings.count, 100), input: Gen.int(in: 0...1_000_000)) {
      seed in
      let yaml = MeshGenerator.yaml(seed: UInt64(seed))
      do {
        let objects = try ConfigParser().parse(Data(yaml.utf8), format: .auto).objects
        var back: [ConfigObject] = []
        for object in objects {
          let any = try MCPResourceCodec.packed(MCPResourceCodec.resource(for: object))
          let collection = MCPCollection(kind: object.kind)
          let copy = try MCPSink.decode([any], collection: collection)
          // Explicit proto3 defaults come back unset: the meaning (the translation below)
          // must survive the first trip, and a second trip must change nothing.
          let copyAgain = try copy.map {
            try MCPResourceCodec.packed(MCPResourceCodec.resource(for: $0))
          }
          let twice = try MCPSink.decode(copyAgain, collection: collection)
          #expect(twice.map(\.spec) == copy.map(\.spec), "seed \(seed) \(object.key)")
          back += copy
        }
        let before = MeshTranslator(snapshot: MeshSnapshot(revision: 1, objects: objects))
        let after = MeshTranslator(snapshot: MeshSnapshot(revision: 1, objects: back))
        let proxy = Proxy(id: "gen", client: .envoy, ipAddresses: ["10.88.0.1"])
        for type in XDSResourceType.allCases {
          #expect(
            before.resources(for: proxy, type: type, requestedNames: nil).sortedResources
              == after.resources(for: proxy, type: type, requestedNames: nil).sortedResources,
            "seed \(seed) \(type)")
        }
      } catch {
        Issue.record("seed \(seed): \(error)\n\(yaml)")
      }
    }
  }
}
