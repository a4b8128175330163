import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayTranslate
import SwiftProtobuf
import Testing

/// EDS bytes are written by hand for speed; they must be exactly swift-protobuf's
/// deterministic encoding of the same message, or versions would change with the encoder.
@Suite struct EndpointEncodingTests {
  static func canonical(_ bytes: [UInt8]) throws -> [UInt8] {
    let message = try Envoy_Config_Endpoint_V3_ClusterLoadAssignment(serializedBytes: bytes)
    var options = BinaryEncodingOptions()
    options.useDeterministicOrdering = true
    return try message.serializedBytes(options: options)
  }

  @Test func handWrittenBytesAreCanonical() throws {
    var translators = try [Meshes.bookinfo, Meshes.external, Meshes.localities].map(
      Meshes.translator)
    translators.append(
      MeshTranslator(
        snapshot: MeshSnapshot(revision: 1, objects: HostileInputTests().hostileObjects())))
    var checked = 0
    for translator in translators {
      for proxy in [Meshes.envoy, Meshes.grpc, Proxy(id: "shop", namespace: "shop")] {
        let set = translator.resources(for: proxy, type: .endpoint, requestedNames: nil)
        for name in set.names {
          let bytes = try #require(set[name]).bytes
          #expect(try Self.canonical(bytes) == bytes, "\(name)")
          checked += 1
        }
      }
    }
    #expect(checked > 20)
  }
}
