import FairwayMesh
import FairwayResources

/// Writes a ClusterLoadAssignment's wire bytes directly, without building the message.
///
/// EDS is the hot path (every endpoint change, every cluster); swift-protobuf re-walks nested
/// messages to size them at every level, so encoding through it costs several times more.
/// The output is byte-for-byte what swift-protobuf's deterministic encoding of
/// `EndpointBuilder.loadAssignment` produces (fields in number order, defaults omitted, set
/// sub-messages written even when empty); a test compares both on every fixture mesh.
enum AssignmentEncoder {
  static func encode(
    clusterName: String, endpoints: [MeshEndpoint], port: MeshPort, flavor: ClientFlavor
  )
    -> [UInt8]
  {
    var groups: [EndpointLocality: [UInt8]] = [:]
    var weights: [EndpointLocality: UInt32] = [:]
    for endpoint in endpoints {
      guard let lbEndpoint = lbEndpoint(endpoint, port: port, flavor: flavor) else { continue }
      ProtoWire.appendField(2, bytes: lbEndpoint, to: &groups[endpoint.locality, default: []])
      let (sum, overflow) = weights[endpoint.locality, default: 0].addingReportingOverflow(
        endpoint.weight)
      weights[endpoint.locality] = overflow ? UInt32.max : sum
    }
    var out: [UInt8] = []
    appendString(1, clusterName, to: &out)
    for locality in groups.keys.sorted() {
      var group: [UInt8] = []
      var place: [UInt8] = []
      appendString(1, locality.region, to: &place)
      appendString(2, locality.zone, to: &place)
      appendString(3, locality.subZone, to: &place)
      ProtoWire.appendField(1, bytes: place, to: &group)
      group += groups[locality] ?? []
      ProtoWire.appendField(3, bytes: wrappedUInt32(weights[locality] ?? 1), to: &group)
      ProtoWire.appendField(2, bytes: group, to: &out)
    }
    return out
  }

  /// Mirrors `EndpointBuilder.lbEndpoint`.
  private static func lbEndpoint(_ endpoint: MeshEndpoint, port: MeshPort, flavor: ClientFlavor)
    -> [UInt8]?
  {
    var address: [UInt8] = []
    if let path = endpoint.unixSocketPath {
      guard flavor == .sidecar, !path.isEmpty else { return nil }
      var pipe: [UInt8] = []
      appendString(1, path, to: &pipe)
      ProtoWire.appendField(2, bytes: pipe, to: &address)
    } else {
      if flavor == .grpc, !HostName.isIPAddress(endpoint.address) { return nil }
      var socket: [UInt8] = []
      appendString(2, endpoint.address, to: &socket)
      // port_value is in a oneof: written even when zero.
      appendVarintField(3, UInt64(endpoint.port(for: port)), to: &socket)
      ProtoWire.appendField(1, bytes: socket, to: &address)
    }
    var envoyEndpoint: [UInt8] = []
    ProtoWire.appendField(1, bytes: address, to: &envoyEndpoint)
    var out: [UInt8] = []
    ProtoWire.appendField(1, bytes: envoyEndpoint, to: &out)
    appendVarintField(2, 1, to: &out)  // health_status: HEALTHY
    ProtoWire.appendField(4, bytes: wrappedUInt32(endpoint.weight), to: &out)
    return out
  }

  private static func wrappedUInt32(_ value: UInt32) -> [UInt8] {
    var out: [UInt8] = []
    if value != 0 { appendVarintField(1, UInt64(value), to: &out) }
    return out
  }

  private static func appendString(_ number: Int, _ text: String, to buffer: inout [UInt8]) {
    guard !text.isEmpty else { return }
    ProtoWire.appendField(number, bytes: Array(text.utf8), to: &buffer)
  }

  private static func appendVarintField(_ number: Int, _ value: UInt64, to buffer: inout [UInt8]) {
    ProtoWire.appendVarint(UInt64(number) << 3, to: &buffer)
    ProtoWire.appendVarint(value, to: &buffer)
  }
}
