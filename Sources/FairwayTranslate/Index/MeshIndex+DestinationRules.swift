import FairwayMesh
import FairwayResources

/// Who a DestinationRule is looked up for: the client's namespace, and which of that
/// namespace's rules with a `workloadSelector` select the client workload (usually none). Two
/// proxies with equal clients get the same rule for every host, so it is part of the keys
/// clusters and routes are cached by.
struct RuleClient: Sendable, Hashable {
  let namespace: String
  let selected: [ConfigKey]
}

extension MeshIndex {
  /// The rule client of a proxy view.
  func ruleClient(for view: ProxyView) -> RuleClient {
    let selected = (selectorRules[view.namespace] ?? []).filter { rule in
      (rule.spec.workloadSelector?.matchLabels ?? [:]).allSatisfy {
        view.labels[$0.key] == $0.value
      }
    }
    return RuleClient(namespace: view.namespace, selected: selected.map(\.key))
  }

  /// The DestinationRule a client applies to the service `host`, in istiod's order.
  func destinationRuleConfig(host: String, client: RuleClient) -> TypedConfig<DestinationRule>? {
    guard let service = service(host: host) else { return nil }
    return destinationRuleConfig(for: service, client: client)
  }

  /// The DestinationRule a client applies to `service`, in istiod's order.
  func destinationRuleConfig(for service: MeshService, client: RuleClient) -> TypedConfig<
    DestinationRule
  >? {
    if client.selected.isEmpty, client.namespace == service.namespace {
      return destinationRuleConfig(host: service.host)
    }
    return Self.lookupRule(
      host: service.host, serviceNamespace: service.namespace, client: client,
      root: rootNamespace,
      in: ruleBindings)
  }

  func destinationRule(host: String, client: RuleClient) -> DestinationRule? {
    destinationRuleConfig(host: host, client: client)?.spec
  }

  /// Every rule whose subsets may name an EDS cluster of `host`: the rule a client of the
  /// service's own namespace gets first (its subset names win), then every other rule naming
  /// the host exactly, for clients of other namespaces.
  func subsetRules(host: String) -> [DestinationRule] {
    let first = destinationRuleConfig(host: host)
    var rules = first.map { [$0.spec] } ?? []
    for rule in ruleBindings.exactly(host) where rule.key != first?.key {
      rules.append(rule.spec)
    }
    return rules
  }

  /// istiod's lookup (`PushContext.destinationRule` and `SidecarScope.DestinationRule`): the
  /// most specific rule for the host among those in the client's namespace (unless that is
  /// the root namespace; a rule with a workloadSelector only for the workloads it selects,
  /// and before a rule without one), else among the service namespace's rules exported to the
  /// client, else among the root namespace's. Rules of any other namespace never apply.
  static func lookupRule(
    host: String, serviceNamespace: String, client: RuleClient, root: String,
    in rules: HostBindings<DestinationRule>
  ) -> TypedConfig<DestinationRule>? {
    let exact = rules.exactly(host)
    let wildcards = rules.wildcards.filter { HostName.matches(pattern: $0.pattern, host: host) }
    guard !exact.isEmpty || !wildcards.isEmpty else { return nil }
    func best(in namespace: String) -> TypedConfig<DestinationRule>? {
      func eligible(_ rule: TypedConfig<DestinationRule>) -> Bool {
        guard rule.namespace == namespace,
          Visibility(exportTo: rule.spec.exportTo, namespace: rule.namespace)
            .isVisible(from: client.namespace)
        else { return false }
        guard rule.spec.workloadSelector != nil else { return true }
        return namespace == client.namespace && client.selected.contains(rule.key)
      }
      let hits = exact.filter(eligible)
      if !hits.isEmpty { return hits.first { $0.spec.workloadSelector != nil } ?? hits[0] }
      var found: (rank: (Int, Int), rule: TypedConfig<DestinationRule>)?
      for wildcard in wildcards where eligible(wildcard.config) {
        let rank = (
          HostName.specificity(of: wildcard.pattern),
          wildcard.config.spec.workloadSelector == nil ? 0 : 1
        )
        if let current = found, rank <= current.rank { continue }
        found = (rank, wildcard.config)
      }
      return found?.rule
    }
    // A root-namespace client starts at the service's namespace, as in istiod.
    let order =
      client.namespace == root
      ? [serviceNamespace, root] : [client.namespace, serviceNamespace, root]
    var searched: Set<String> = []
    for namespace in order where searched.insert(namespace).inserted {
      if let rule = best(in: namespace) { return rule }
    }
    return nil
  }

  /// The rule a client of the service's own namespace without selected workloads gets: the
  /// one translation builds the shared clusters and EDS inputs of a service from.
  static func defaultRule(
    for service: MeshService, in rules: HostBindings<DestinationRule>, root: String
  ) -> TypedConfig<DestinationRule>? {
    lookupRule(
      host: service.host, serviceNamespace: service.namespace,
      client: RuleClient(namespace: service.namespace, selected: []), root: root, in: rules)
  }

  /// Rules with a workloadSelector, by namespace, in key order.
  static func selectorRules(_ rules: [TypedConfig<DestinationRule>]) -> [String: [TypedConfig<
    DestinationRule
  >]] {
    var byNamespace: [String: [TypedConfig<DestinationRule>]] = [:]
    for rule in rules where rule.spec.workloadSelector != nil {
      byNamespace[rule.namespace, default: []].append(rule)
    }
    return byNamespace
  }
}
