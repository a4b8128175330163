import Foundation
import SwiftProtobuf

/// One xDS resource, serialized once and shared by every proxy and stream that receives it.
///
/// It holds the resource packed as a `google.protobuf.Any` (type URL + value), encoded once, so a
/// response is assembled by copying these bytes rather than re-encoding the resource per stream.
/// The version is a hash of the resource bytes: identical content always has the same version, on
/// every replica and after restarts, so a reconnecting Delta client that presents it gets nothing new.
public struct EncodedResource: Sendable, Hashable {
  /// The resource name clients subscribe to (cluster name, listener name, route config name).
  public let name: String
  public let type: XDSResourceType
  /// Content hash of the resource bytes (16 lowercase hex digits).
  public let version: String
  /// The encoded `google.protobuf.Any` holding the resource.
  public let anyBytes: [UInt8]
  private let valueStart: Int

  public init(name: String, type: XDSResourceType, bytes: [UInt8]) {
    self.name = name
    self.type = type
    self.version = ContentHash.hex(of: bytes)
    var any: [UInt8] = []
    any.reserveCapacity(
      ProtoWire.fieldSize(1, count: type.typeURL.utf8.count)
        + ProtoWire.fieldSize(2, count: bytes.count))
    ProtoWire.appendField(1, string: type.typeURL, to: &any)
    let valueFieldStart = any.count
    ProtoWire.appendField(2, bytes: bytes, to: &any)
    self.valueStart = valueFieldStart + ProtoWire.fieldSize(2, count: bytes.count) - bytes.count
    self.anyBytes = any
  }

  private init(bodylessName name: String, type: XDSResourceType) {
    self.name = name
    self.type = type
    self.version = ContentHash.hex(of: Array(name.utf8))
    self.anyBytes = []
    self.valueStart = 0
  }

  /// A Delta resource entry with no resource, only its name (and the name as its alias): what
  /// Envoy's VHDS takes as "nothing here" for a name it asked about. A sidecar loading virtual
  /// hosts on demand gets one per route configuration first, because Envoy completes its VHDS
  /// initialization only when something in the route configuration's namespace arrives (an
  /// empty response would leave its listeners warming until the initial fetch times out).
  /// Delta only: SotW has no way to carry it.
  public static func bodyless(name: String, type: XDSResourceType) -> EncodedResource {
    EncodedResource(bodylessName: name, type: type)
  }

  /// Whether this is a `bodyless` entry.
  public var isBodyless: Bool { anyBytes.isEmpty }

  /// A resource whose serialized message (`valueCount` bytes) `write` appends to the buffer
  /// it is given, right after the Any's header: for messages assembled from parts encoded
  /// earlier (a route configuration from its virtual hosts), so the parts are copied once,
  /// straight into the Any, instead of into a message buffer that is then copied again.
  package init(
    name: String, type: XDSResourceType, valueCount: Int,
    writingValue write: (inout [UInt8]) -> Void
  ) {
    var any: [UInt8] = []
    any.reserveCapacity(
      ProtoWire.fieldSize(1, count: type.typeURL.utf8.count)
        + ProtoWire.fieldSize(2, count: valueCount))
    ProtoWire.appendField(1, string: type.typeURL, to: &any)
    ProtoWire.appendVarint(2 << 3 | ProtoWire.lengthDelimited, to: &any)
    ProtoWire.appendVarint(UInt64(valueCount), to: &any)
    let start = any.count
    write(&any)
    assert(any.count - start == valueCount, "the value written is not the size announced")
    self.name = name
    self.type = type
    self.version = ContentHash.hex(of: any[start...])
    self.valueStart = start
    self.anyBytes = any
  }

  /// Serializes `message` deterministically (sorted map keys) so equal inputs give equal bytes.
  public init(name: String, type: XDSResourceType, message: some SwiftProtobuf.Message) throws {
    var options = BinaryEncodingOptions()
    options.useDeterministicOrdering = true
    let data: [UInt8] = try message.serializedBytes(options: options)
    self.init(name: name, type: type, bytes: data)
  }

  /// The serialized resource message (the `value` of the Any).
  public var bytes: [UInt8] { Array(anyBytes[valueStart...]) }

  /// The resource as a `google.protobuf.Any` message.
  public var any: Google_Protobuf_Any {
    var any = Google_Protobuf_Any()
    any.typeURL = type.typeURL
    any.value = Data(bytes)
    return any
  }

  public static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.name == rhs.name && lhs.type == rhs.type && lhs.anyBytes == rhs.anyBytes
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(name)
    hasher.combine(version)
  }
}
