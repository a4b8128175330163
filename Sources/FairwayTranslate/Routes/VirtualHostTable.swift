import FairwayResources

/// Where an encoded sidecar virtual host sits: the route configuration (its port) and the
/// service host.
struct VirtualHostKey: Sendable, Hashable {
  let port: UInt32
  let host: String
}

/// Encoded sidecar virtual hosts by outbound key (what a sidecar's routes depend on of the
/// view) and position, handed from one translation to the next on a patch.
struct VirtualHostTable: Sendable {
  var byOutboundKey: [OutboundKey: [VirtualHostKey: EncodedVirtualHost]] = [:]

  /// Tables of more outbound keys than this are not carried whole: only the keys the newer
  /// translation built are (label churn in `sourceLabels` routes could grow it without end).
  static let carriedKeyLimit = 512

  /// `newer`'s hosts, and for outbound keys it did not build, this table's.
  func merging(_ newer: VirtualHostTable) -> VirtualHostTable {
    guard byOutboundKey.count + newer.byOutboundKey.count <= Self.carriedKeyLimit else {
      return newer
    }
    return VirtualHostTable(
      byOutboundKey: byOutboundKey.merging(newer.byOutboundKey) { _, newer in newer })
  }
}
