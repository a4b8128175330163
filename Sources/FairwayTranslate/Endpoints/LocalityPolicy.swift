import FairwayMesh
import FairwayResources

/// A DestinationRule's `localityLbSetting` as it shapes one cluster's endpoints, when it does:
/// `distribute` weights, or (only with outlier detection, as in Istio, since without it Envoy
/// never leaves priority 0) failover priorities by locality, `failover` regions and
/// `failoverPriority` labels. With one, a cluster's assignment depends on the asking proxy's
/// locality (and failover labels), so it is built per `ProxyLocality` instead of shared.
struct LocalityPolicy: Sendable, Hashable {
  struct Distribute: Sendable, Hashable {
    let from: String
    /// Locality pattern -> weight, most specific pattern first.
    let to: [Target]
  }

  struct Target: Sendable, Hashable {
    let locality: String
    let weight: UInt32
  }

  struct Failover: Sendable, Hashable {
    let from: String
    let to: String
  }

  let distribute: [Distribute]
  let failover: [Failover]
  /// Label names (an optional `=value` overrides the proxy's value), most significant first.
  let failoverPriority: [String]
  /// Outlier detection is set, so failover priorities apply.
  let enableFailover: Bool

  /// nil when the policy leaves the assignment alone: no setting, `enabled: false`, or
  /// failover settings without outlier detection and no `distribute`.
  init?(_ policy: EffectivePolicy) {
    guard let setting = policy.loadBalancer?.localityLbSetting, setting.enabled != false else {
      return nil
    }
    distribute = (setting.distribute ?? []).compactMap { rule in
      guard let from = rule.from, !from.isEmpty else { return nil }
      let targets = (rule.to ?? [:]).map {
        Target(locality: $0.key, weight: UInt32(clamping: max($0.value, 0)))
      }
      return Distribute(from: from, to: targets.sorted(by: Self.moreSpecific))
    }
    failover = (setting.failover ?? []).compactMap { rule in
      guard let from = rule.from, let to = rule.to else { return nil }
      return Failover(from: from, to: to)
    }
    failoverPriority = setting.failoverPriority ?? []
    enableFailover = policy.outlierDetection != nil
    guard !distribute.isEmpty || enableFailover else { return nil }
  }

  /// The label names `failoverPriority` compares (without `=value` overrides).
  var failoverLabelNames: [String] {
    failoverPriority.map { String($0.split(separator: "=", maxSplits: 1).first ?? "") }
  }

  /// Istio iterates a map here (no order); Fairway takes exact patterns before wildcards so
  /// that an overlapping `r1/z1` and `r1/*` mean what they say.
  private static func moreSpecific(_ lhs: Target, _ rhs: Target) -> Bool {
    let left = lhs.locality.split(separator: "/").count(where: { $0 == "*" })
    let right = rhs.locality.split(separator: "/").count(where: { $0 == "*" })
    if left != right { return left < right }
    return lhs.locality < rhs.locality
  }
}

/// What a locality-aware assignment depends on in the asking proxy: its locality and, for
/// `failoverPriority`, its values of the labels any rule names.
struct ProxyLocality: Sendable, Hashable {
  let locality: EndpointLocality
  /// The proxy's labels restricted to failover label names, plus its locality as topology
  /// labels.
  let labels: [String: String]

  init(locality: EndpointLocality, labels: [String: String]) {
    self.locality = locality
    self.labels = labels
  }

  /// `view`'s locality key, keeping only the labels in `labelNames`.
  init(view: ProxyView, labelNames: Set<String>) {
    let locality = EndpointLocality(view.locality)
    var labels = locality.topologyLabels
    for name in labelNames {
      if let value = view.labels[name] { labels[name] = value }
    }
    self.init(locality: locality, labels: labels.filter { labelNames.contains($0.key) })
  }
}

extension EndpointLocality {
  /// Istio's topology labels for a locality (added to proxies' and endpoints' labels, so
  /// `failoverPriority` can name them).
  var topologyLabels: [String: String] {
    var labels: [String: String] = [:]
    if !region.isEmpty { labels["topology.kubernetes.io/region"] = region }
    if !zone.isEmpty { labels["topology.kubernetes.io/zone"] = zone }
    if !subZone.isEmpty { labels["topology.istio.io/subzone"] = subZone }
    return labels
  }

  /// istiod's `LocalityMatch`: a rule locality `region/zone/subzone` where `*` or a missing
  /// part matches anything (the region must be given or `*`).
  func matches(rule: String) -> Bool {
    let rule = EndpointLocality(rule)
    let regionMatch = rule.region == "*" || region == rule.region
    let zoneMatch = rule.zone == "*" || rule.zone.isEmpty || zone == rule.zone
    let subZoneMatch = rule.subZone == "*" || rule.subZone.isEmpty || subZone == rule.subZone
    return regionMatch && zoneMatch && subZoneMatch
  }

  /// istiod's `LbPriority` of an endpoint locality seen from this (the proxy's) locality.
  func priority(of endpoint: EndpointLocality) -> Int {
    guard region == endpoint.region else { return 3 }
    guard zone == endpoint.zone else { return 2 }
    return subZone == endpoint.subZone ? 0 : 1
  }
}
