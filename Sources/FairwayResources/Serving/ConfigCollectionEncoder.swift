import FairwayMesh
import SwiftProtobuf

/// Stored configs as MCP-over-xDS collections (Istio's `configSources`): the ADS server answers
/// a stream that asks for a collection type URL (`networking.istio.io/v1alpha3/VirtualService`)
/// with every object of that kind, each encoded by this. The server knows the encoding only
/// through this protocol, as it knows the translation only through `MeshTranslationEngine`.
public protocol ConfigCollectionEncoder: Sendable {
  /// The kind a collection type URL names; nil for any other type URL.
  func kind(ofCollection typeURL: String) -> ConfigKind?

  /// One encoded resource per object, in the order given. An object that cannot be encoded is
  /// left out and named in `skipped` (`VirtualService ns/name: reason`), so one bad object does
  /// not withhold the rest of its collection.
  func encode(_ objects: [ConfigObject]) -> (
    resources: [Google_Protobuf_Any], skipped: [String]
  )
}
