import FairwayMesh
import FairwayResources

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
  /// `updatingWorkloads` can patch a copy; chunked so that copy does not retain every service.
  var services: ChunkedArray<MeshService>
  private let serviceByHost: [String: Int]
  /// Host -> the DestinationRule that applies to it (Istio picks one per host). `var` (like
  /// the other rule-derived fields) only so `updatingDestinationRules` can patch a copy.
  private var ruleByHost: OverlayDictionary<String, TypedConfig<DestinationRule>>
  /// Every DestinationRule by the host it names.
  private(set) var ruleBindings: HostBindings<DestinationRule>
  /// DestinationRules with a workloadSelector, by namespace (they apply only to the workloads
  /// they select, in their own namespace).
  private(set) var selectorRules: [String: [TypedConfig<DestinationRule>]]
  /// Istio's root namespace: its selector-less Sidecar is every namespace's default, and its
  /// DestinationRules are the last ones looked at.
  let rootNamespace: String
  /// Sidecars, and which one applies to a proxy.
  let sidecars: SidecarIndex
  /// Host -> VirtualServices naming it, best first; the first visible one wins. `var` (like
  /// the other VirtualService-derived fields) only so `updatingVirtualServices` can patch a copy.
  private(set) var virtualServicesByHost: OverlayDictionary<String, [TypedConfig<VirtualService>]>
  /// Every VirtualService by the hosts it names for the mesh (none when only for gateways).
  private var routeBindings: HostBindings<VirtualService>
  /// VirtualServices without hosts (delegates) and the roots naming each.
  private(set) var delegates: DelegateIndex
  /// DestinationRules with locality load balancing -> the failover label names they use.
  /// Endpoint sets are keyed by proxy locality only while this is not empty.
  private var localityRules: [ConfigKey: Set<String>]
  /// How many VirtualServices match on each label key (`sourceLabels`); only keys still in
  /// use, so a change can adjust them without reading the other VirtualServices.
  private var sourceLabelKeyCounts: [String: Int]
  /// Endpoint address -> positions of the services it serves (finds a sidecar's workload).
  var servicesByEndpointAddress: OverlayDictionary<String, [Int]>
  /// `namespace/key=value` -> positions of services whose workload selector has that label.
  let selectingServices: [SelectorLabel: [Int]]
  /// Every WorkloadEntry, kept so a WorkloadEntry change re-selects only the services it affects.
  var workloads: WorkloadIndex
  /// ServiceEntries by key, so those services can be resolved again without a snapshot.
  let serviceEntryConfigs: [ConfigKey: TypedConfig<ServiceEntry>]
  /// Gateways and the VirtualServices bound to them (gateway proxies' listeners and routes).
  private(set) var gatewayIndex: GatewayIndex

  init(snapshot: MeshSnapshot, rootNamespace: String = MeshIndex.defaultRootNamespace) {
    self.rootNamespace = rootNamespace
    sidecars = SidecarIndex(snapshot.sidecars, rootNamespace: rootNamespace)
    selectorRules = MeshIndex.selectorRules(snapshot.destinationRules)
    var services: [MeshService] = []
    var seen: Set<String> = []
    // A health-checked entry that is not healthy is left out, as istiod treats it as deleted.
    let workloads = WorkloadIndex(
      snapshot.workloadEntries.filter { WorkloadHealth.isServing($0.metadata) })
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
    self.services = ChunkedArray(services)
    self.serviceByHost = serviceByHost
    let ruleBindings = HostBindings(snapshot.destinationRules, hostsOf: MeshIndex.ruleHosts)
    self.ruleBindings = ruleBindings
    var ruleByHost: [String: TypedConfig<DestinationRule>] = [:]
    for service in services {
      ruleByHost[service.host] = MeshIndex.defaultRule(
        for: service, in: ruleBindings, root: rootNamespace)
    }
    self.ruleByHost = OverlayDictionary(ruleByHost)
    var localityRules: [ConfigKey: Set<String>] = [:]
    for rule in snapshot.destinationRules {
      if let labels = MeshIndex.localityLabels(rule.spec) { localityRules[rule.key] = labels }
    }
    self.localityRules = localityRules
    self.gatewayIndex = GatewayIndex(
      gateways: snapshot.gateways, virtualServices: snapshot.virtualServices)
    let routeBindings = HostBindings(snapshot.virtualServices, hostsOf: MeshIndex.routeHosts)
    self.routeBindings = routeBindings
    var virtualServicesByHost: [String: [TypedConfig<VirtualService>]] = [:]
    for service in services {
      let ranked = MeshIndex.rankedRoutes(for: service.host, in: routeBindings)
      if !ranked.isEmpty { virtualServicesByHost[service.host] = ranked }
    }
    self.virtualServicesByHost = OverlayDictionary(virtualServicesByHost)
    self.delegates = DelegateIndex(snapshot.virtualServices)
    var counts: [String: Int] = [:]
    for config in snapshot.virtualServices {
      for key in MeshIndex.sourceLabelKeys(config) { counts[key, default: 0] += 1 }
    }
    self.sourceLabelKeyCounts = counts
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

  /// This index with the VirtualServices in `changes` replaced (nil: deleted). Nothing else
  /// depends on VirtualServices, so only the hosts the changed ones name, before or after, are
  /// ranked again: the cost follows the change, not the mesh.
  func updatingVirtualServices(_ changes: [ConfigKey: TypedConfig<VirtualService>?]) -> MeshIndex {
    var next = self
    for (key, replacement) in changes {
      for label in routeBindings[key].map(MeshIndex.sourceLabelKeys) ?? [] {
        let remaining = (next.sourceLabelKeyCounts[label] ?? 0) - 1
        next.sourceLabelKeyCounts[label] = remaining > 0 ? remaining : nil
      }
      for label in replacement.map(MeshIndex.sourceLabelKeys) ?? [] {
        next.sourceLabelKeyCounts[label, default: 0] += 1
      }
    }
    next.gatewayIndex.replace(changes)
    let touched = next.routeBindings.replace(changes)
    next.delegates.replace(changes)
    for position in affectedServices(touched) {
      let host = services[position].host
      let ranked = MeshIndex.rankedRoutes(for: host, in: next.routeBindings)
      next.virtualServicesByHost[host] = ranked.isEmpty ? nil : ranked
    }
    return next
  }

  /// This index with the DestinationRules in `changes` replaced (nil: deleted), and the
  /// positions of the services whose rule is now a different one or different. Only the hosts
  /// the changed rules name, before or after, are looked at again. Services, workloads and
  /// routes do not depend on rules and are shared.
  func updatingDestinationRules(_ changes: [ConfigKey: TypedConfig<DestinationRule>?]) -> (
    index: MeshIndex, changedServices: [Int]
  ) {
    var next = self
    for (key, replacement) in changes {
      var local = (next.selectorRules[key.namespace] ?? []).filter { $0.key != key }
      if let replacement, replacement.spec.workloadSelector != nil {
        local.append(replacement)
        local.sort { $0.key < $1.key }
      }
      next.selectorRules[key.namespace] = local.isEmpty ? nil : local
    }
    let touched = next.ruleBindings.replace(changes)
    for (key, replacement) in changes {
      next.localityRules[key] = replacement.flatMap { MeshIndex.localityLabels($0.spec) }
    }
    var changed: [Int] = []
    for position in affectedServices(touched) {
      let service = services[position]
      let rule = MeshIndex.defaultRule(for: service, in: next.ruleBindings, root: rootNamespace)
      // A rule naming the host may change the subsets other namespaces' clients get even
      // when the default one stays.
      guard rule != ruleByHost[service.host] || touched.hosts.contains(service.host) else {
        continue
      }
      next.ruleByHost[service.host] = rule
      changed.append(position)
    }
    return (next, changed)
  }

  /// Positions, ascending, of the services a replacement in host bindings can affect: those
  /// named exactly, and every one a touched wildcard matches.
  private func affectedServices(_ touched: HostBindings<some Sendable & Equatable>.Touched)
    -> [Int]
  {
    var positions = Set(touched.hosts.compactMap { serviceByHost[$0] })
    if !touched.patterns.isEmpty {
      for (position, service) in services.enumerated()
      where touched.patterns.contains(where: {
        HostName.matches(pattern: $0, host: service.host)
      }) {
        positions.insert(position)
      }
    }
    return positions.sorted()
  }

  /// Whether some DestinationRule balances by locality: then endpoint assignments depend on
  /// the proxy's locality.
  var usesLocality: Bool { !localityRules.isEmpty }

  /// The label names any rule's `failoverPriority` compares (plus Istio's topology labels).
  var failoverLabelNames: Set<String> {
    var names: Set<String> = [
      "topology.kubernetes.io/region", "topology.kubernetes.io/zone", "topology.istio.io/subzone",
    ]
    for labels in localityRules.values { names.formUnion(labels) }
    return names
  }

  /// nil when `rule` has no enabled `localityLbSetting` anywhere (top level, port level,
  /// subsets); else the failover label names it uses.
  static func localityLabels(_ rule: DestinationRule) -> Set<String>? {
    var policies = [rule.trafficPolicy] + (rule.subsets ?? []).map(\.trafficPolicy)
    var found = false
    var labels: Set<String> = []
    while let next = policies.popLast() {
      guard let policy = next else { continue }
      var balancers = [policy.loadBalancer]
      balancers += (policy.portLevelSettings ?? []).map(\.loadBalancer)
      for case let setting? in balancers.map({ $0?.localityLbSetting })
      where setting.enabled != false {
        found = true
        for entry in setting.failoverPriority ?? [] {
          labels.insert(String(entry.split(separator: "=", maxSplits: 1).first ?? ""))
        }
      }
    }
    return found ? labels : nil
  }

  /// Label keys one VirtualService matches on (`sourceLabels`).
  static func sourceLabelKeys(_ config: TypedConfig<VirtualService>) -> Set<String> {
    var keys: Set<String> = []
    for http in config.spec.http ?? [] {
      for match in http.match ?? [] { keys.formUnion((match.sourceLabels ?? [:]).keys) }
    }
    for tcp in config.spec.tcp ?? [] {
      for match in tcp.match ?? [] { keys.formUnion((match.sourceLabels ?? [:]).keys) }
    }
    return keys
  }

  /// Label keys that some VirtualService matches on (`sourceLabels`): the only proxy labels
  /// outbound routes depend on.
  var sourceLabelKeys: Dictionary<String, Int>.Keys { sourceLabelKeyCounts.keys }

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

  /// The VirtualService routing `host` for a proxy in `namespace`, if any, with its delegates'
  /// routes merged in. Of several visible ones the first ranked wins (istiod: the oldest).
  func virtualService(host: String, proxyNamespace: String) -> TypedConfig<VirtualService>? {
    let visible = virtualServicesByHost[host]?.filter { config in
      Visibility(exportTo: config.spec.exportTo, namespace: config.namespace)
        .isVisible(from: proxyNamespace)
    }
    let choice = VirtualServicePrecedence.choose(visible ?? [], boundTo: .mesh)
    return choice.applied.first.map(delegates.expanding)
  }

  /// The VirtualServices whose routes delegate to `key`, in key order.
  func delegateRoots(of key: ConfigKey) -> [TypedConfig<VirtualService>] {
    delegates.roots(using: key).sorted().compactMap { routeBindings[$0] }
  }

  /// Istio's default root namespace.
  static let defaultRootNamespace = "istio-system"

  /// The Sidecar scope of a proxy view: only sidecars have one.
  func sidecarScope(for view: ProxyView) -> SidecarScope? {
    guard view.kind == .sidecar else { return nil }
    return sidecars.scope(namespace: view.namespace, labels: view.labels)
  }

  /// Whether a proxy of `namespace` under `scope` sees `service`: exported to the namespace,
  /// and admitted by the Sidecar's egress hosts.
  func isVisible(_ service: MeshService, namespace: String, scope: SidecarScope?) -> Bool {
    service.visibility.isVisible(from: namespace) && (scope?.admits(service) ?? true)
  }

  /// Services a proxy view can reach: exported to its namespace and within its Sidecar scope.
  func visibleServices(for view: ProxyView) -> [MeshService] {
    let scope = sidecarScope(for: view)
    return services.filter { isVisible($0, namespace: view.namespace, scope: scope) }
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

  /// The host a DestinationRule names, resolved in its namespace.
  @Sendable fileprivate static func ruleHosts(_ rule: TypedConfig<DestinationRule>) -> [String] {
    guard let written = rule.spec.host else { return [] }
    return [HostName.resolve(written, namespace: rule.namespace)]
  }

  /// The hosts a VirtualService names for sidecars (none when it is only for gateways).
  @Sendable fileprivate static func routeHosts(_ config: TypedConfig<VirtualService>) -> [String] {
    let gateways = config.spec.gateways ?? []
    guard gateways.isEmpty || gateways.contains("mesh") else { return [] }
    return Set((config.spec.hosts ?? []).map { HostName.resolve($0, namespace: config.namespace) })
      .sorted()
  }

  /// The VirtualServices naming `host`, best first: exact hosts before wildcards, longer
  /// wildcards before shorter, then istiod's order (`VirtualServicePrecedence`: oldest, then
  /// name, then namespace); each once.
  fileprivate static func rankedRoutes(
    for host: String, in routes: HostBindings<VirtualService>
  ) -> [TypedConfig<VirtualService>] {
    var candidates = routes.exactly(host).map { (specificity: Int.max, config: $0) }
    for wildcard in routes.wildcards where HostName.matches(pattern: wildcard.pattern, host: host) {
      candidates.append((HostName.specificity(of: wildcard.pattern), wildcard.config))
    }
    guard !candidates.isEmpty else { return [] }
    // Stable, so one config's entries keep their order; the first of each config is kept.
    let ranked = candidates.enumerated().sorted { lhs, rhs in
      if lhs.element.specificity != rhs.element.specificity {
        return lhs.element.specificity > rhs.element.specificity
      }
      if lhs.element.config.key != rhs.element.config.key {
        return VirtualServicePrecedence.precedes(lhs.element.config, rhs.element.config)
      }
      return lhs.offset < rhs.offset
    }
    var seen: Set<ConfigKey> = []
    return ranked.map(\.element.config).filter { seen.insert($0.key).inserted }
  }
}
