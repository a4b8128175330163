import FairwayResources

/// Where an encoded sidecar virtual host sits: the route configuration (its port) and the
/// service host.
struct VirtualHostKey: Sendable, Hashable {
  let port: UInt32
  let host: String
}

/// Encoded sidecar virtual hosts by outbound key (what a sidecar's routes depend on of the
/// view) and position, handed from one translation to the next on a patch, with the route
/// plans and VHDS catalogs built from them.
///
/// A patch (WorkloadEntries, VirtualServices or DestinationRules) never changes which services
/// a view sees, their hosts, ports or domains, so a route plan, which is only those, holds
/// across it. Its services are looked up again by host where the plan is used (a WorkloadEntry
/// or DestinationRule patch re-resolves them), so a patch itself costs nothing here. Carrying
/// it makes a route change cost the hosts it touches plus a walk, instead of formatting and
/// deduplicating every service's domains again (most of the patched route table at 10,000
/// services).
struct VirtualHostTable: Sendable {
  var byOutboundKey: [OutboundKey: [VirtualHostKey: EncodedVirtualHost]] = [:]
  /// Route plans by outbound key.
  var plans: [OutboundKey: [SidecarRoutePlan]] = [:]
  /// VHDS catalogs by (VHDS view's) outbound key: their domain index is reused while the
  /// hosts answer the same domains.
  var catalogs: [OutboundKey: VHDSCatalog] = [:]

  /// Tables of more outbound keys than this are not carried whole: only the keys the newer
  /// translation built are (label churn in `sourceLabels` routes could grow it without end).
  static let carriedKeyLimit = 512

  /// `newer`'s hosts, and for outbound keys it did not build, this table's.
  func merging(_ newer: VirtualHostTable) -> VirtualHostTable {
    guard byOutboundKey.count + newer.byOutboundKey.count <= Self.carriedKeyLimit,
      plans.count + newer.plans.count <= Self.carriedKeyLimit,
      catalogs.count + newer.catalogs.count <= Self.carriedKeyLimit
    else {
      return newer
    }
    return VirtualHostTable(
      byOutboundKey: byOutboundKey.merging(newer.byOutboundKey) { _, newer in newer },
      plans: plans.merging(newer.plans) { _, newer in newer },
      catalogs: catalogs.merging(newer.catalogs) { _, newer in newer })
  }
}
