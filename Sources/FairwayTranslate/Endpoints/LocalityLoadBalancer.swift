import FairwayMesh

/// istiod's locality load balancing (`ApplyLocalityLoadBalancer`) on Fairway's endpoint groups:
/// one group per locality (and failover priority), each with a weight and a priority, built
/// for one proxy locality. Pure, so tests drive it with tables.
enum LocalityLoadBalancer {
  /// Endpoints of one locality at one priority.
  struct Group: Sendable, Equatable {
    let locality: EndpointLocality
    var endpoints: [MeshEndpoint]
    var weight: UInt32
    var priority: UInt32
  }

  /// Endpoints grouped by locality in locality order, each weighted by the sum of its
  /// endpoints' weights, all at priority 0: the assignment without a locality policy.
  static func groups(_ endpoints: [MeshEndpoint]) -> [Group] {
    var byLocality: [EndpointLocality: [MeshEndpoint]] = [:]
    for endpoint in endpoints { byLocality[endpoint.locality, default: []].append(endpoint) }
    return byLocality.keys.sorted().map { locality in
      let members = byLocality[locality] ?? []
      return Group(
        locality: locality, endpoints: members, weight: weightSum(members), priority: 0)
    }
  }

  /// The groups for a proxy at `proxy` under `policy`: `distribute` if a rule's `from`
  /// matches the proxy, else (with outlier detection) failover priorities.
  static func apply(_ policy: LocalityPolicy, to endpoints: [MeshEndpoint], proxy: ProxyLocality)
    -> [Group]
  {
    var groups = groups(endpoints)
    if !policy.distribute.isEmpty {
      if let rule = policy.distribute.first(where: { proxy.locality.matches(rule: $0.from) }) {
        groups = distribute(groups, rule: rule)
      }
      return groups
    }
    guard policy.enableFailover else { return groups }
    if !policy.failoverPriority.isEmpty {
      groups = failoverPriorities(groups, labels: policy.failoverPriority, proxy: proxy)
      if !policy.failover.isEmpty {
        groups = localityFailover(groups, failover: policy.failover, proxy: proxy.locality)
      }
      return groups
    }
    return localityFailover(groups, failover: policy.failover, proxy: proxy.locality)
  }

  /// `applyLocalityWeights`: each target pattern shares its weight among the groups it takes
  /// (in proportion to their own weights, rounded up); groups no target takes get no traffic.
  static func distribute(_ groups: [Group], rule: LocalityPolicy.Distribute) -> [Group] {
    var out = groups
    var unmatched = Set(groups.indices)
    for target in rule.to {
      let taken = groups.indices.filter {
        unmatched.contains($0) && groups[$0].locality.matches(rule: target.locality)
      }
      unmatched.subtract(taken)
      let total = taken.reduce(UInt64(0)) { $0 + UInt64(groups[$1].weight) }
      guard total > 0 else { continue }
      for index in taken {
        let share = (UInt64(groups[index].weight) * UInt64(target.weight) + total - 1) / total
        if share > 0 { out[index].weight = UInt32(clamping: share) }
      }
    }
    return out.indices.filter { !unmatched.contains($0) }.map { out[$0] }
  }

  /// `applyLocalityFailover`: same subzone 0, same zone 1, same region 2, other regions 3,
  /// and 4 for regions other than the `failover` target of the proxy's region; combined with
  /// priorities already set (`* 5`), then renumbered without gaps.
  static func localityFailover(
    _ groups: [Group], failover: [LocalityPolicy.Failover], proxy: EndpointLocality
  ) -> [Group] {
    var out = groups
    for index in out.indices {
      var priority = proxy.priority(of: out[index].locality)
      if priority == 3, let rule = failover.first(where: { $0.from == proxy.region }),
        out[index].locality.region != rule.to
      {
        priority = 4
      }
      out[index].priority = out[index].priority * 5 + UInt32(priority)
    }
    return compacted(out)
  }

  /// `applyFailoverPriorities`: each locality split by how many leading `labels` an endpoint
  /// shares with the proxy (all: priority 0; the first differs: the lowest), then renumbered
  /// without gaps across localities.
  static func failoverPriorities(_ groups: [Group], labels: [String], proxy: ProxyLocality)
    -> [Group]
  {
    guard !groups.isEmpty else { return groups }
    let parsed = labels.map { entry -> (name: String, override: String?) in
      let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
      return (parts.first ?? "", parts.count == 2 ? parts[1] : nil)
    }
    var out: [Group] = []
    for group in groups {
      var byPriority: [Int: [MeshEndpoint]] = [:]
      for endpoint in group.endpoints {
        let endpointLabels = endpoint.labels.merging(endpoint.locality.topologyLabels) { own, _ in
          own
        }
        var priority = 0
        for (position, label) in parsed.enumerated() {
          let wanted = label.override ?? proxy.labels[label.name]
          if wanted != endpointLabels[label.name] {
            priority = parsed.count - position
            break
          }
        }
        byPriority[priority, default: []].append(endpoint)
      }
      for priority in byPriority.keys.sorted() {
        let members = byPriority[priority] ?? []
        out.append(
          Group(
            locality: group.locality, endpoints: members, weight: weightSum(members),
            priority: UInt32(priority)))
      }
    }
    return compacted(out)
  }

  /// Priorities renumbered 0, 1, 2... in their order (Envoy and grpc reject gaps).
  static func compacted(_ groups: [Group]) -> [Group] {
    let used = Set(groups.map(\.priority)).sorted()
    let rank = Dictionary(uniqueKeysWithValues: used.enumerated().map { ($1, UInt32($0)) })
    return groups.map { group in
      var group = group
      group.priority = rank[group.priority] ?? group.priority
      return group
    }
  }

  private static func weightSum(_ endpoints: [MeshEndpoint]) -> UInt32 {
    var sum: UInt32 = 0
    for endpoint in endpoints {
      let (next, overflow) = sum.addingReportingOverflow(endpoint.weight)
      sum = overflow ? UInt32.max : next
    }
    return sum
  }
}
