/// Just enough of the protobuf wire format to assemble xDS responses from pre-encoded parts.
///
/// Responses are mostly concatenations of resources that were encoded once; writing the few
/// envelope fields by hand avoids re-serializing (and re-sizing) every resource per stream.
package enum ProtoWire {
  static let lengthDelimited: UInt64 = 2

  package static func appendVarint(_ value: UInt64, to buffer: inout [UInt8]) {
    var value = value
    while value >= 0x80 {
      buffer.append(UInt8(truncatingIfNeeded: value) | 0x80)
      value >>= 7
    }
    buffer.append(UInt8(value))
  }

  package static func varintSize(_ value: UInt64) -> Int {
    var size = 1
    var value = value >> 7
    while value != 0 {
      size += 1
      value >>= 7
    }
    return size
  }

  /// Appends a length-delimited field (bytes, string or embedded message).
  package static func appendField(
    _ number: Int, bytes: some Collection<UInt8>, to buffer: inout [UInt8]
  ) {
    appendVarint(UInt64(number) << 3 | lengthDelimited, to: &buffer)
    appendVarint(UInt64(bytes.count), to: &buffer)
    buffer.append(contentsOf: bytes)
  }

  /// Appends a string field, skipping it when empty as proto3 does.
  package static func appendField(_ number: Int, string: String, to buffer: inout [UInt8]) {
    guard !string.isEmpty else { return }
    appendField(number, bytes: string.utf8, to: &buffer)
  }

  /// The encoded size of a string field as `appendField(_:string:to:)` writes it.
  package static func fieldSize(_ number: Int, string: String) -> Int {
    string.isEmpty ? 0 : fieldSize(number, count: string.utf8.count)
  }

  /// Appends `resource` as an `envoy.service.discovery.v3.Resource` (version 1, packed Any 2,
  /// name 3) in field `fieldNumber`, writing its fields in place: the length is known from
  /// their sizes, so the Any bytes are copied once.
  package static func appendDeltaResource(
    _ resource: EncodedResource, fieldNumber: Int, to buffer: inout [UInt8]
  ) {
    // A bodyless entry has no resource (2) and its own name as alias (4): see
    // `EncodedResource.bodyless`.
    let bodyless = resource.isBodyless
    let length =
      fieldSize(1, string: resource.version) + fieldSize(3, string: resource.name)
      + (bodyless
        ? fieldSize(4, string: resource.name) : fieldSize(2, count: resource.anyBytes.count))
    appendVarint(UInt64(fieldNumber) << 3 | lengthDelimited, to: &buffer)
    appendVarint(UInt64(length), to: &buffer)
    appendField(1, string: resource.version, to: &buffer)
    if !bodyless { appendField(2, bytes: resource.anyBytes, to: &buffer) }
    appendField(3, string: resource.name, to: &buffer)
    if bodyless { appendField(4, string: resource.name, to: &buffer) }
  }

  /// The encoded size of a length-delimited field with a payload of `count` bytes.
  package static func fieldSize(_ number: Int, count: Int) -> Int {
    varintSize(UInt64(number) << 3) + varintSize(UInt64(count)) + count
  }
}
