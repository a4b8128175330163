import Foundation
import SwiftProtobuf

/// One xDS resource, serialized once and shared by every proxy and stream that receives it.
///
/// The bytes are the serialized resource message (the `value` of a `google.protobuf.Any`);
/// the version is a hash of those bytes, so identical content always has the same version and a
/// reconnecting Delta client that presents it receives nothing new.
public struct EncodedResource: Sendable, Hashable {
  /// The resource name clients subscribe to (cluster name, listener name, route config name).
  public let name: String
  public let type: XDSResourceType
  /// The serialized resource message.
  public let bytes: [UInt8]
  /// Content hash of `bytes` (16 lowercase hex digits).
  public let version: String

  public init(name: String, type: XDSResourceType, bytes: [UInt8]) {
    self.name = name
    self.type = type
    self.bytes = bytes
    self.version = ContentHash.hex(of: bytes)
  }

  /// Serializes `message` deterministically (sorted map keys) so equal inputs give equal bytes.
  public init(name: String, type: XDSResourceType, message: some SwiftProtobuf.Message) throws {
    var options = BinaryEncodingOptions()
    options.useDeterministicOrdering = true
    let data: [UInt8] = try message.serializedBytes(options: options)
    self.init(name: name, type: type, bytes: data)
  }

  /// The resource as a `google.protobuf.Any`, packed eagerly (type URL + value bytes).
  public var any: Google_Protobuf_Any {
    var any = Google_Protobuf_Any()
    any.typeURL = type.typeURL
    any.value = Data(bytes)
    return any
  }
}
