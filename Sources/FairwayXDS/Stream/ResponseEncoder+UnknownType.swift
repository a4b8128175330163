import FairwayResources

extension ResponseEncoder {
  /// A DiscoveryResponse with no resources for a type URL this server does not serve: to a
  /// SotW client it says the server has no resources of that type (istiod answers unknown types
  /// the same way, with an empty set).
  static func emptyStateOfTheWorld(
    typeURL: String, version: String, nonce: String, controlPlane: [UInt8]
  ) -> EncodedMessage {
    var buffer: [UInt8] = []
    buffer.reserveCapacity(controlPlane.count + typeURL.utf8.count + version.utf8.count + 32)
    ProtoWire.appendField(1, string: version, to: &buffer)
    ProtoWire.appendField(4, string: typeURL, to: &buffer)
    ProtoWire.appendField(5, string: nonce, to: &buffer)
    ProtoWire.appendField(6, bytes: controlPlane, to: &buffer)
    return EncodedMessage(bytes: buffer)
  }

  /// A DeltaDiscoveryResponse for a type URL this server does not serve: every name the client
  /// subscribed to is listed in `removed_resources`, the Delta way of saying it does not exist.
  static func emptyDelta(
    typeURL: String, systemVersion: String, removed: [String], nonce: String,
    controlPlane: [UInt8]
  ) -> EncodedMessage {
    var buffer: [UInt8] = []
    buffer.reserveCapacity(
      removed.reduce(controlPlane.count + typeURL.utf8.count + systemVersion.utf8.count + 32) {
        $0 + $1.utf8.count + 4
      })
    ProtoWire.appendField(1, string: systemVersion, to: &buffer)
    ProtoWire.appendField(4, string: typeURL, to: &buffer)
    ProtoWire.appendField(5, string: nonce, to: &buffer)
    for name in removed {
      ProtoWire.appendField(6, bytes: name.utf8, to: &buffer)
    }
    ProtoWire.appendField(7, bytes: controlPlane, to: &buffer)
    return EncodedMessage(bytes: buffer)
  }
}
