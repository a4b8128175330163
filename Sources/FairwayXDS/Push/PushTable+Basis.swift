import FairwayMesh

extension PushTable {
  /// What the table judges a change against: what the latest full snapshot's ServiceEntries
  /// decide, derived once per snapshot. A WorkloadEntry batch is thousands of events against
  /// one snapshot, and scanning every ServiceEntry per event made it O(events x services).
  public struct Basis: Sendable {
    /// Workload selectors of DNS-resolved ServiceEntries, by namespace.
    let dnsSelectors: [String: [[String: String]]]
    /// Hosts served by Dubbo ServiceEntries.
    let dubboHosts: Set<String>

    public init(_ snapshot: MeshSnapshot) {
      var selectors: [String: [[String: String]]] = [:]
      for service in snapshot.serviceEntries {
        let resolution = service.spec.effectiveResolution
        guard resolution == "DNS" || resolution == "DNS_ROUND_ROBIN",
          let selector = service.spec.workloadSelector?.labels
        else { continue }
        selectors[service.key.namespace, default: []].append(selector)
      }
      dnsSelectors = selectors
      dubboHosts = Set(DubboRouteRules.dubboHosts(snapshot.serviceEntries).keys)
    }
  }
}
