import FairwayMesh
import FairwayResources
import SwiftProtobuf

/// The MCP encoding the ADS server uses to serve the store as Istio collections.
public struct MCPCollectionEncoder: ConfigCollectionEncoder {
  public init() {}

  public func kind(ofCollection typeURL: String) -> ConfigKind? {
    MCPCollection(typeURL: typeURL)?.kind
  }

  public func encode(_ objects: [ConfigObject]) -> (
    resources: [Google_Protobuf_Any], skipped: [String]
  ) {
    var resources: [Google_Protobuf_Any] = []
    var skipped: [String] = []
    resources.reserveCapacity(objects.count)
    for object in objects {
      do {
        resources.append(try MCPResourceCodec.packed(MCPResourceCodec.resource(for: object)))
      } catch {
        skipped.append(error.description)
      }
    }
    return (resources, skipped)
  }
}
