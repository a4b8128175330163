import FairwayMesh

/// One label of a workload selector, within its namespace.
struct SelectorLabel: Sendable, Hashable {
  let namespace: String
  let key: String
  let value: String
}

/// Everything translation looks up, built once per snapshot: services by host with their
/// endpoints, and the DestinationRule and VirtualServices that apply to each host.
struct MeshIndex: Sendable {
  /// Sorted by host. `var` (like the other endpoint-derived fields) only so
  /// `updatingWorkloads` can patch a copy.
  var services: [MeshService]
  private let serviceByHost: [String: Int]
  /// Host -> the DestinationRule that applies to it (Istio picks one per host). `var` (like
  /// `destinationRules`) only so `updatingDestinationRules` can patch a copy.
  private var ruleByHost: [String: TypedConfig<DestinationRule>]
  /// Host -> VirtualServices naming it, best first; the first visible one wins. `var` (like
  /// the other VirtualService-derived fields) only so `updatingVirtualServices` can patch a copy.
  private(set) var virtualServicesByHost: [String: [TypedConfig<VirtualService>]]
  private(set) var virtualServices: [TypedConfig<VirtualService>]
  private(set) var destinationRules: [TypedConfig<DestinationRule>]
  /// Label keys that some VirtualService matches on (`sourceLabels`): the only proxy labels
  /// outbound routes depend on.
  private(set) var sourceLabelKeys: Set<String>
  /// Endpoint address -> positions of the services it serves (finds a sidecar's workload).
  var servicesByEndpointAddress: OverlayDictionary<String, [Int]>
  /// `namespace/key=value` -> positions of services whose workload selector has that label.
  let selectingServices: [SelectorLabel: [Int]]
  /// Every WorkloadEntry, kept so a WorkloadEntry change re-selects only the services it affects.
  var workloads: WorkloadIndex
  /// ServiceEntries by key, so those services can be resolved again without a snapshot.
  let serviceEntryConfigs: [ConfigKey: TypedConfig<ServiceEntry>]

  init(snapshot: MeshSnapshot) {
    var services: [MeshService] = []
    var seen: Set<String> = []
    let workloads = WorkloadIndex(snapshot.workloadEntries)
    self.workloads = workloads
    var entries: [ConfigKey: TypedConfig<ServiceEntry>] = [:]
    for entry in snapshot.serviceEntries { entries[entry.key] = entry }
    self.serviceEntryConfigs = entries
    for entry in snapshot.serviceEntries {
      for service in MeshIndex.services(from: entry, workloads: workloads)
      where seen.insert(service.host).inserted {
        services.append(service)
      }
    }
    services.sort { $0.host < $1.host }
    var serviceByHost: [String: Int] = [:]
    for (position, service) in services.enumerated() { serviceByHost[service.host] = position }
    self.services = services
    self.serviceByHost = serviceByHost
    self.destinationRules = snapshot.destinationRules
    self.virtualServices = snapshot.virtualServices
    self.ruleByHost = MeshIndex.rules(snapshot.destinationRules, services: services)
    self.virtualServicesByHost = MeshIndex.routes(snapshot.virtualServices, services: services)
    self.sourceLabelKeys = MeshIndex.sourceLabelKeys(snapshot.virtualServices)
    var byAddress: [String: [Int]] = [:]
    var selecting: [SelectorLabel: [Int]] = [:]
    for (position, service) in services.enumerated() {
      for address in Set(service.endpoints.map(\.address)) {
        byAddress[address, default: []].append(position)
      }
      for (key, value) in service.workloadSelector {
        selecting[SelectorLabel(namespace: service.namespace, key: key, value: value), default: []]
          .append(position)
      }
    }
    self.servicesByEndpointAddress = OverlayDictionary(byAddress)
    self.selectingServices = selecting
  }

  /// This index with `virtualServices` (sorted by key, as a snapshot lists them) in place of
  /// its own. Nothing else depends on VirtualServices, so a VirtualService change costs its
  /// host lookups instead of a snapshot and a new index of the whole mesh.
  func updatingVirtualServices(_ virtualServices: [TypedConfig<VirtualService>]) -> MeshIndex {
    var next = self
    next.virtualServices = virtualServices
    next.virtualServicesByHost = MeshIndex.routes(virtualServices, services: services)
    next.sourceLabelKeys = MeshIndex.sourceLabelKeys(virtualServices)
    return next
  }

  /// This index with `rules` (sorted by key, as a snapshot lists them) in place of its
  /// DestinationRules, and the positions of the services whose rule is now a different one or
  /// different. Services, workloads and routes do not depend on rules and are shared.
  func updatingDestinationRules(_ rules: [TypedConfig<DestinationRule>]) -> (
    index: MeshIndex, changedServices: [Int]
  ) {
    var next = self
    next.destinationRules = rules
    next.ruleByHost = MeshIndex.rules(rules, services: services)
    let changed = services.indices.filter {
      ruleByHost[services[$0].host] != next.ruleByHost[services[$0].host]
    }
    return (next, changed)
  }

  /// Label keys the VirtualServices match on (`sourceLabels`).
  static func sourceLabelKeys(_ virtualServices: [TypedConfig<VirtualService>]) -> Set<String> {
    var keys: Set<String> = []
    for config in virtualServices {
      for http in config.spec.http ?? [] {
        for match in http.match ?? [] { keys.formUnion((match.sourceLabels ?? [:]).keys) }
      }
      for tcp in config.spec.tcp ?? [] {
        for match in tcp.match ?? [] { keys.formUnion((match.sourceLabels ?? [:]).keys) }
      }
    }
    return keys
  }

  /// Positions of the services whose workload selector matches a proxy of `namespace` with
  /// `labels`.
  func servicesSelecting(namespace: String, labels: [String: String]) -> [Int] {
    var found: Set<Int> = []
    for (key, value) in labels {
      for position in selectingServices[SelectorLabel(namespace: namespace, key: key, value: value)]
        ?? []
      where services[position].workloadSelector.allSatisfy({ labels[$0.key] == $0.value }) {
        found.insert(position)
      }
    }
    return found.sorted()
  }

  func service(host: String) -> MeshService? {
    serviceByHost[host].map { services[$0] }
  }

  func destinationRule(host: String) -> DestinationRule? { ruleByHost[host]?.spec }

  func destinationRuleConfig(host: String) -> TypedConfig<DestinationRule>? { ruleByHost[host] }

  /// The VirtualService routing `host` for a proxy in `namespace`, if any.
  func virtualService(host: String, proxyNamespace: String) -> TypedConfig<VirtualService>? {
    virtualServicesByHost[host]?.first { config in
      Visibility(exportTo: config.spec.exportTo, namespace: config.namespace)
        .isVisible(from: proxyNamespace)
    }
  }

  /// Services a proxy in `namespace` can reach.
  func visibleServices(from namespace: String) -> [MeshService] {
    services.filter { $0.visibility.isVisible(from: namespace) }
  }
}

extension MeshIndex {
  static func services(
    from entry: TypedConfig<ServiceEntry>, workloads: WorkloadIndex
  ) -> [MeshService] {
    let spec = entry.spec
    var ports: [UInt32: MeshPort] = [:]
    for port in spec.ports ?? [] {
      guard let valid = MeshPort(port), ports[valid.number] == nil else { continue }
      ports[valid.number] = valid
    }
    let sortedPorts = ports.values.sorted()
    let resolution = MeshService.Resolution(spec.effectiveResolution)
    var endpoints = Set((spec.endpoints ?? []).compactMap(MeshEndpoint.init))
    if let selector = spec.workloadSelector?.labels, !selector.isEmpty {
      endpoints.formUnion(workloads.select(namespace: entry.namespace, labels: selector))
    }
    let visibility = Visibility(exportTo: spec.exportTo, namespace: entry.namespace)
    let hosts = Set((spec.hosts ?? []).map { HostName.resolve($0, namespace: entry.namespace) })
    return hosts.sorted().filter { !$0.isEmpty }.map { host in
      var hostEndpoints = endpoints
      // A DNS service without endpoints resolves its own host name.
      if hostEndpoints.isEmpty, resolution == .dns || resolution == .dnsRoundRobin,
        !host.hasPrefix("*")
      {
        hostEndpoints.insert(MeshEndpoint(hostname: host))
      }
      return MeshService(
        host: host, namespace: entry.namespace, source: entry.key, ports: sortedPorts,
        addresses: (spec.addresses ?? []).sorted(), resolution: resolution,
        visibility: visibility, endpoints: hostEndpoints.sorted(),
        workloadSelector: spec.workloadSelector?.labels ?? [:])
    }
  }

  /// Picks one DestinationRule per service host: an exact host beats a wildcard, a rule in the
  /// service's namespace beats one elsewhere, then config order.
  fileprivate static func rules(
    _ rules: [TypedConfig<DestinationRule>], services: [MeshService]
  ) -> [String: TypedConfig<DestinationRule>] {
    var exact: [String: [TypedConfig<DestinationRule>]] = [:]
    var wildcards: [(pattern: String, rule: TypedConfig<DestinationRule>)] = []
    for rule in rules {
      guard let written = rule.spec.host else { continue }
      let host = HostName.resolve(written, namespace: rule.namespace)
      if host.hasPrefix("*") {
        wildcards.append((host, rule))
      } else {
        exact[host, default: []].append(rule)
      }
    }
    var result: [String: TypedConfig<DestinationRule>] = [:]
    for service in services {
      var candidates = (exact[service.host] ?? []).map { (specificity: Int.max, rule: $0) }
      if candidates.isEmpty {
        candidates = wildcards.filter { HostName.matches(pattern: $0.pattern, host: service.host) }
          .map { (HostName.specificity(of: $0.pattern), $0.rule) }
      }
      var best: (rank: (Int, Int), rule: TypedConfig<DestinationRule>)?
      for candidate in candidates {
        let rank = (candidate.specificity, candidate.rule.namespace == service.namespace ? 1 : 0)
        if let current = best, rank <= current.rank { continue }
        best = (rank, candidate.rule)
      }
      if let best { result[service.host] = best.rule }
    }
    return result
  }

  /// Orders the VirtualServices naming each service host, exact hosts before wildcards.
  fileprivate static func routes(
    _ virtualServices: [TypedConfig<VirtualService>], services: [MeshService]
  ) -> [String: [TypedConfig<VirtualService>]] {
    var exact: [String: [(order: Int, config: TypedConfig<VirtualService>)]] = [:]
    var wildcards: [(pattern: String, order: Int, config: TypedConfig<VirtualService>)] = []
    for (order, config) in virtualServices.enumerated() {
      let gateways = config.spec.gateways ?? []
      guard gateways.isEmpty || gateways.contains("mesh") else { continue }
      let hosts = Set(
        (config.spec.hosts ?? []).map {
          HostName.resolve($0, namespace: config.namespace)
        })
      for host in hosts.sorted() {
        if host.hasPrefix("*") {
          wildcards.append((host, order, config))
        } else {
          exact[host, default: []].append((order, config))
        }
      }
    }
    var result: [String: [TypedConfig<VirtualService>]] = [:]
    for service in services {
      var candidates = (exact[service.host] ?? []).map {
        (specificity: Int.max, order: $0.order, config: $0.config)
      }
      for wildcard in wildcards
      where HostName.matches(pattern: wildcard.pattern, host: service.host) {
        candidates.append(
          (HostName.specificity(of: wildcard.pattern), wildcard.order, wildcard.config))
      }
      guard !candidates.isEmpty else { continue }
      candidates.sort { ($0.specificity, -$0.order) > ($1.specificity, -$1.order) }
      var seen: Set<ConfigKey> = []
      result[service.host] = candidates.map(\.config).filter { seen.insert($0.key).inserted }
    }
    return result
  }
}
