import FairwayMesh
import Foundation

/// One stored object as JSON bytes, in the shape the admin API serves, for backends that
/// keep each object under its own key (etcd). The resource version is left out: the
/// backend's revision of the key is the version.
public enum StoredObjectCodec {
  public static func encode(_ object: ConfigObject) -> [UInt8] {
    var stored = object
    stored.metadata.resourceVersion = nil
    return Array(stored.jsonValue.serialized().utf8)
  }

  /// Parses and validates `bytes` back, keeping the metadata the store assigned.
  public static func decode(_ bytes: some Collection<UInt8>, resourceVersion: String) throws
    -> ConfigObject
  {
    var object = try JournalCodec.object(from: JSONValue.parse(json: Data(bytes)))
    object.metadata.resourceVersion = resourceVersion
    return object
  }
}
