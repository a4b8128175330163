import FairwayMesh
import FairwayTranslate
import Foundation

/// What the analyzers (and the proxy-config tables) look up, built once from a snapshot with
/// the translator's rules: services by host, endpoints by selector, and which DestinationRule
/// and VirtualService apply to a host.
public struct MeshModel: Sendable {
  public let snapshot: MeshSnapshot
  /// Service hosts in host order.
  public let services: [AnalyzedService]
  private let serviceByHost: [String: Int]
  /// The translator's own index of WorkloadEntries (by namespace and label), so a selector
  /// picks exactly the endpoints translation gives the service, without a scan per
  /// ServiceEntry (which made a 25,000-object store take minutes).
  let workloads: WorkloadIndex
  /// DestinationRules by the host they name exactly, and those naming a wildcard.
  private let rulesByHost: [String: [TypedConfig<DestinationRule>]]
  private let wildcardRules: [TypedConfig<DestinationRule>]
  /// VirtualServices (for sidecars) by exact host, and those naming a wildcard host.
  private let routesByHost: [String: [Int]]
  private let wildcardRoutes: [Int]

  public init(snapshot: MeshSnapshot) {
    self.snapshot = snapshot
    let workloads = WorkloadIndex(snapshot.workloadEntries)
    self.workloads = workloads
    var services: [AnalyzedService] = []
    var seen: Set<String> = []
    for entry in snapshot.serviceEntries {
      let labels = Self.endpointLabels(of: entry, workloads: workloads)
      let dns = ["DNS", "DNS_ROUND_ROBIN"].contains(entry.spec.effectiveResolution)
      let hosts = Set(
        (entry.spec.hosts ?? []).map { HostName.resolve($0, namespace: entry.namespace) })
      for host in hosts.sorted() where !host.isEmpty && seen.insert(host).inserted {
        let own = labels.isEmpty && dns && !host.hasPrefix("*") ? [[:]] : labels
        services.append(
          AnalyzedService(
            host: host, entry: entry.key, namespace: entry.namespace,
            ports: entry.spec.ports ?? [], endpointLabels: own))
      }
    }
    services.sort { $0.host < $1.host }
    self.services = services
    var byHost: [String: Int] = [:]
    for (position, service) in services.enumerated() { byHost[service.host] = position }
    self.serviceByHost = byHost

    var rulesByHost: [String: [TypedConfig<DestinationRule>]] = [:]
    var wildcardRules: [TypedConfig<DestinationRule>] = []
    for rule in snapshot.destinationRules {
      guard let host = Self.ruleHost(rule) else { continue }
      rulesByHost[host, default: []].append(rule)
      if host.hasPrefix("*") { wildcardRules.append(rule) }
    }
    self.rulesByHost = rulesByHost
    self.wildcardRules = wildcardRules
    var routesByHost: [String: [Int]] = [:]
    var wildcardRoutes: [Int] = []
    for (position, config) in snapshot.virtualServices.enumerated() {
      let hosts = Self.routeHosts(config)
      for host in Set(hosts) { routesByHost[host, default: []].append(position) }
      if hosts.contains(where: { $0.hasPrefix("*") }) { wildcardRoutes.append(position) }
    }
    self.routesByHost = routesByHost
    self.wildcardRoutes = wildcardRoutes
  }

  /// The service declared for exactly `host`.
  public func service(host: String) -> AnalyzedService? {
    serviceByHost[host].map { services[$0] }
  }

  /// Services a host pattern names: the exact host, or every service a wildcard matches.
  func services(matching pattern: String) -> [AnalyzedService] {
    if !pattern.hasPrefix("*") { return service(host: pattern).map { [$0] } ?? [] }
    return services.filter { HostName.matches(pattern: pattern, host: $0.host) }
  }

  /// Labels of the endpoints a ServiceEntry has: inline endpoints, and the WorkloadEntries of
  /// its namespace (with an address) that carry every label of its selector.
  static func endpointLabels(of entry: TypedConfig<ServiceEntry>, workloads: WorkloadIndex)
    -> [[String: String]]
  {
    var labels = (entry.spec.endpoints ?? []).filter(\.hasAddress).map { $0.labels ?? [:] }
    if let selector = entry.spec.workloadSelector?.labels, !selector.isEmpty {
      labels += workloads.select(namespace: entry.namespace, labels: selector).map(\.labels)
    }
    return labels
  }

  // MARK: - DestinationRules

  /// The host a DestinationRule names, resolved in its namespace.
  static func ruleHost(_ rule: TypedConfig<DestinationRule>) -> String? {
    guard let written = rule.spec.host, !written.isEmpty else { return nil }
    return HostName.resolve(written, namespace: rule.namespace)
  }

  /// The DestinationRule Fairway applies to `host` (Istio picks one per host): a rule naming
  /// the host exactly beats a wildcard, a longer wildcard a shorter one, a rule in the
  /// service's namespace one elsewhere, then the first by namespace/name.
  public func destinationRule(forHost host: String) -> TypedConfig<DestinationRule>? {
    let namespace = service(host: host)?.namespace
    var candidates: [(specificity: Int, rule: TypedConfig<DestinationRule>)] = []
    for rule in rulesByHost[host] ?? [] {
      candidates.append((Int.max, rule))
    }
    if candidates.isEmpty {
      for rule in wildcardRules {
        guard let pattern = Self.ruleHost(rule), pattern.hasPrefix("*"),
          HostName.matches(pattern: pattern, host: host)
        else { continue }
        candidates.append((HostName.specificity(of: pattern), rule))
      }
    }
    var best: (rank: (Int, Int), rule: TypedConfig<DestinationRule>)?
    for candidate in candidates {
      let rank = (candidate.specificity, candidate.rule.namespace == namespace ? 1 : 0)
      if let current = best, rank <= current.rank { continue }
      best = (rank, candidate.rule)
    }
    return best?.rule
  }

  // MARK: - VirtualServices

  /// The hosts a VirtualService names for sidecars (none when it is only for gateways).
  static func routeHosts(_ config: TypedConfig<VirtualService>) -> [String] {
    let gateways = config.spec.gateways ?? []
    guard gateways.isEmpty || gateways.contains("mesh") else { return [] }
    return (config.spec.hosts ?? []).map { HostName.resolve($0, namespace: config.namespace) }
  }

  /// The VirtualServices routing `host`, best first, as the translator ranks them: exact
  /// hosts before wildcards, longer wildcards before shorter, then oldest first.
  func rankedVirtualServices(forHost host: String) -> [TypedConfig<VirtualService>] {
    var candidates: [(specificity: Int, config: TypedConfig<VirtualService>)] = []
    // Only the configs naming the host or a wildcard, in key order as before.
    let positions = Set(routesByHost[host] ?? []).union(wildcardRoutes).sorted()
    for position in positions {
      let config = snapshot.virtualServices[position]
      let hosts = Self.routeHosts(config)
      if hosts.contains(host) {
        candidates.append((Int.max, config))
      } else if let pattern = hosts.filter({
        $0.hasPrefix("*") && HostName.matches(pattern: $0, host: host)
      }).max(by: { $0.count < $1.count }) {
        candidates.append((HostName.specificity(of: pattern), config))
      }
    }
    // Equal specificity: istiod's order (oldest, then name, then namespace), as the translator.
    return candidates.sorted { lhs, rhs in
      if lhs.specificity != rhs.specificity { return lhs.specificity > rhs.specificity }
      return VirtualServicePrecedence.precedes(lhs.config, rhs.config)
    }.map(\.config)
  }

  /// The VirtualService that routes `host` for a proxy in `namespace`, if any.
  public func virtualService(forHost host: String, proxyNamespace: String)
    -> TypedConfig<VirtualService>?
  {
    rankedVirtualServices(forHost: host).first {
      ExportScope(exportTo: $0.spec.exportTo, namespace: $0.namespace)
        .isVisible(from: proxyNamespace)
    }
  }
}

extension WorkloadEntry {
  /// The translator skips endpoints without an address.
  var hasAddress: Bool {
    !(address ?? "").trimmingCharacters(in: .whitespaces).isEmpty
  }
}
