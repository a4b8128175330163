import FairwayResources

/// Assembles DiscoveryResponse / DeltaDiscoveryResponse bytes from resources encoded once.
///
/// Field numbers are Envoy's (XDS-NOTES §3); the Swift tests decode the output with the
/// generated messages and the interop tests with Envoy's own protos.
package enum ResponseEncoder {
  /// `envoy.service.discovery.v3.DiscoveryResponse`.
  package static func stateOfTheWorld(
    version: String, resources: [EncodedResource], type: XDSResourceType, nonce: String,
    controlPlane: [UInt8]
  ) -> EncodedMessage {
    if keepsInSegments(resources) {
      var segments: [[UInt8]] = []
      var head: [UInt8] = []
      ProtoWire.appendField(1, string: version, to: &head)
      for resource in resources {
        ProtoWire.appendVarint(2 << 3 | 2, to: &head)
        ProtoWire.appendVarint(UInt64(resource.anyBytes.count), to: &head)
        segments.append(head)
        segments.append(resource.anyBytes)
        head = []
      }
      ProtoWire.appendField(4, string: type.typeURL, to: &head)
      ProtoWire.appendField(5, string: nonce, to: &head)
      ProtoWire.appendField(6, bytes: controlPlane, to: &head)
      segments.append(head)
      return EncodedMessage(segments: segments)
    }
    var size = controlPlane.count + 64 + type.typeURL.utf8.count + version.utf8.count
    for resource in resources { size += resource.anyBytes.count + 6 }
    var buffer: [UInt8] = []
    buffer.reserveCapacity(size)
    ProtoWire.appendField(1, string: version, to: &buffer)
    for resource in resources {
      ProtoWire.appendField(2, bytes: resource.anyBytes, to: &buffer)
    }
    ProtoWire.appendField(4, string: type.typeURL, to: &buffer)
    ProtoWire.appendField(5, string: nonce, to: &buffer)
    ProtoWire.appendField(6, bytes: controlPlane, to: &buffer)
    return EncodedMessage(bytes: buffer)
  }

  /// `envoy.service.discovery.v3.DiscoveryResponse` carrying a whole set, from its shared
  /// `resources` field: this stream's version and nonce go around the set's bytes, which are
  /// not copied here (the serializer copies them once, into the transport's buffer).
  package static func stateOfTheWorld(
    version: String, wholeSet set: ResourceSet, nonce: String, controlPlane: [UInt8]
  ) -> EncodedMessage {
    // A set of a few large route configurations: their own shared arrays go to the transport
    // as segments. Joining them into the set's field first would copy the whole table once
    // more per translation (and keep that copy alive as long as the set) for nothing.
    let members = set.count <= 4 ? set.sortedResources : []
    if keepsInSegments(members) {
      return stateOfTheWorld(
        version: version, resources: members, type: set.type, nonce: nonce,
        controlPlane: controlPlane)
    }
    return around(
      set.discoveryResourcesField, version: version, type: set.type, nonce: nonce,
      controlPlane: (6, controlPlane))
  }

  /// A few large resources (route configurations) stay in their own shared arrays: the
  /// serializer copies them straight into the transport buffer, instead of once here and
  /// again there. Many small ones (assignments, clusters) are cheaper joined here.
  private static func keepsInSegments(_ resources: [EncodedResource]) -> Bool {
    resources.count <= 4 && resources.contains { $0.anyBytes.count >= 16 * 1024 }
  }

  /// `envoy.service.discovery.v3.DeltaDiscoveryResponse`; each resource becomes a `Resource`
  /// with name (3), version (1) and the packed Any (2).
  package static func delta(
    systemVersion: String, resources: [EncodedResource], removed: [String],
    type: XDSResourceType, nonce: String, controlPlane: [UInt8]
  ) -> EncodedMessage {
    var buffer: [UInt8] = []
    buffer.reserveCapacity(
      resources.reduce(controlPlane.count + 160) {
        $0 + $1.anyBytes.count + $1.name.utf8.count + $1.version.utf8.count + 16
      } + removed.reduce(0) { $0 + $1.utf8.count + 4 })
    ProtoWire.appendField(1, string: systemVersion, to: &buffer)
    for resource in resources {
      ProtoWire.appendDeltaResource(resource, fieldNumber: 2, to: &buffer)
    }
    ProtoWire.appendField(4, string: type.typeURL, to: &buffer)
    ProtoWire.appendField(5, string: nonce, to: &buffer)
    for name in removed {
      ProtoWire.appendField(6, bytes: name.utf8, to: &buffer)
    }
    ProtoWire.appendField(7, bytes: controlPlane, to: &buffer)
    return EncodedMessage(bytes: buffer)
  }

  /// `envoy.service.discovery.v3.DeltaDiscoveryResponse` carrying every member of `set` and
  /// removing nothing, around the set's shared `resources` field (see
  /// `ResourceSet.deltaResourcesField`).
  package static func delta(
    systemVersion: String, wholeSet set: ResourceSet, nonce: String, controlPlane: [UInt8]
  ) -> EncodedMessage {
    around(
      set.deltaResourcesField, version: systemVersion, type: set.type, nonce: nonce,
      controlPlane: (7, controlPlane))
  }

  /// A response around a set's shared `resources` field (2): both response messages number
  /// the version 1, the type URL 4 and the nonce 5, and differ in the control plane's field.
  private static func around(
    _ resourcesField: [UInt8], version: String, type: XDSResourceType, nonce: String,
    controlPlane: (field: Int, bytes: [UInt8])
  ) -> EncodedMessage {
    var head: [UInt8] = []
    ProtoWire.appendField(1, string: version, to: &head)
    var tail: [UInt8] = []
    ProtoWire.appendField(4, string: type.typeURL, to: &tail)
    ProtoWire.appendField(5, string: nonce, to: &tail)
    ProtoWire.appendField(controlPlane.field, bytes: controlPlane.bytes, to: &tail)
    return EncodedMessage(segments: [head, resourcesField, tail])
  }

  /// `envoy.config.core.v3.ControlPlane{identifier}`.
  package static func controlPlane(identifier: String) -> [UInt8] {
    var buffer: [UInt8] = []
    ProtoWire.appendField(1, string: identifier, to: &buffer)
    return buffer
  }
}
