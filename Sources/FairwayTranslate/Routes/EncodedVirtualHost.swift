import FairwayProto
import FairwayResources
import SwiftProtobuf

/// One virtual host of a sidecar route configuration, serialized once
/// (`envoy.config.route.v3.VirtualHost`, deterministic) and reused: by every later translation
/// while its dependencies are unchanged, by the route configuration that concatenates it
/// (field 2 of `RouteConfiguration`), and as a VHDS `VirtualHost` resource.
package struct EncodedVirtualHost: Sendable {
  /// The virtual host's name, `HOST:PORT` (`allow_any` for the catch-all).
  package let name: String
  /// The domains it answers to, in its encoded order.
  package let domains: [String]
  /// The serialized `VirtualHost` message.
  package let bytes: [UInt8]
  /// Some route injects faults: the listener's HttpConnectionManager needs the fault filter.
  package let usesFault: Bool
  /// Some route has a CORS policy: the CORS filter must be in the chain.
  package let usesCors: Bool
  /// What it was built from; nil for hosts that are never reused (MOSN Dubbo, the catch-all).
  let dependencies: VirtualHostDependencies?

  init?(
    _ host: Envoy_Config_Route_V3_VirtualHost, usesFault: Bool,
    dependencies: VirtualHostDependencies?
  ) {
    var options = BinaryEncodingOptions()
    options.useDeterministicOrdering = true
    guard let bytes: [UInt8] = try? host.serializedBytes(options: options) else { return nil }
    name = host.name
    domains = host.domains
    self.bytes = bytes
    self.usesFault = usesFault
    usesCors = RouteBuilder.usesCors(host)
    self.dependencies = dependencies
  }

  /// The catch-all host of sidecars without a REGISTRY_ONLY Sidecar, the same for all of them.
  static let allowAny = EncodedVirtualHost(
    RouteBuilder.allowAnyVirtualHost(), usesFault: false, dependencies: nil)

  /// The catch-all host of sidecars under a REGISTRY_ONLY Sidecar (`block_all`).
  static let blockAll = EncodedVirtualHost(
    RouteBuilder.blockAllVirtualHost(), usesFault: false, dependencies: nil)

  /// This host as a VHDS `VirtualHost` resource named `name` (Envoy keys its VHDS table by the
  /// host's own name, so the name must be the resource's), answering `domains` instead of its
  /// own when given. Deterministic encoding writes fields in number order, so the name (1) and
  /// domains (2) lead the bytes: they are skipped and the new ones written before the rest,
  /// which gives the bytes of the renamed message without building or encoding it again.
  func resource(named name: String, domains: [String]? = nil) -> EncodedResource {
    let rest = bytes[Self.leadingFieldsEnd(of: bytes, through: domains == nil ? 1 : 2)...]
    var size = ProtoWire.fieldSize(1, string: name) + rest.count
    for domain in domains ?? [] { size += ProtoWire.fieldSize(2, count: domain.utf8.count) }
    return EncodedResource(name: name, type: .virtualHost, valueCount: size) { buffer in
      ProtoWire.appendField(1, string: name, to: &buffer)
      for domain in domains ?? [] { ProtoWire.appendField(2, bytes: domain.utf8, to: &buffer) }
      buffer.append(contentsOf: rest)
    }
  }

  /// Where the length-delimited fields numbered 1 through `last` that lead `bytes` end.
  package static func leadingFieldsEnd(of bytes: [UInt8], through last: UInt64) -> Int {
    var offset = 0
    while let (tag, afterTag) = varint(in: bytes, at: offset), tag & 7 == 2,
      (1...last).contains(tag >> 3),
      let (length, afterLength) = varint(in: bytes, at: afterTag),
      length <= UInt64(bytes.count - afterLength)
    {
      offset = afterLength + Int(length)
    }
    return offset
  }

  /// The varint at `start` and the offset after it; nil when `bytes` ends inside it.
  private static func varint(in bytes: [UInt8], at start: Int) -> (UInt64, Int)? {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    var position = start
    while position < bytes.count, shift < 64 {
      let byte = bytes[position]
      position += 1
      value |= UInt64(byte & 0x7f) << shift
      if byte & 0x80 == 0 { return (value, position) }
      shift += 7
    }
    return nil
  }
}
