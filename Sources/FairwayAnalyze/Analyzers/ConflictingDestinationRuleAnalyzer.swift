import FairwayMesh

/// FW0101: several DestinationRules name the same host. Istio has no analyzer for this; Fairway
/// never merges rules, so all but one are ignored for the host. Which one wins follows the
/// translator: a rule in the service's namespace, then the first by namespace/name.
struct ConflictingDestinationRuleAnalyzer: Analyzer {
  let name = "destinationrule.ConflictingHostAnalyzer"
  let summary = "Checks a host is not named by more than one DestinationRule"
  let messageTypes: [MessageType] = [.conflictingDestinationRules]

  func analyze(_ mesh: MeshModel) -> [AnalysisMessage] {
    var byHost: [String: [TypedConfig<DestinationRule>]] = [:]
    for rule in mesh.snapshot.destinationRules {
      guard let host = MeshModel.ruleHost(rule) else { continue }
      byHost[host, default: []].append(rule)
    }
    var messages: [AnalysisMessage] = []
    for (host, rules) in byHost where rules.count > 1 {
      let service = mesh.service(host: host)
      let winner: TypedConfig<DestinationRule>
      let reason: String
      if let service, let applied = mesh.destinationRule(forHost: host),
        rules.contains(where: { $0.key == applied.key })
      {
        winner = applied
        let local = rules.filter { $0.namespace == service.namespace }.count
        reason =
          applied.namespace != service.namespace
          ? "it is the first by namespace/name"
          : local == 1
            ? "it is in the service's namespace \(service.namespace)"
            : "it is the first by name in the service's namespace \(service.namespace)"
      } else if let first = rules.first {
        winner = first
        reason = "it is the first by namespace/name; a rule in the service's namespace would win"
      } else {
        continue
      }
      let names = rules.map { "\($0.namespace)/\($0.name)" }.joined(separator: ",")
      for rule in rules {
        let role =
          rule.key == winner.key
          ? "This one applies" : "This one is ignored for the host"
        messages.append(
          AnalysisMessage(
            .conflictingDestinationRules, rule.key, field: "spec.host",
            "The DestinationRules \(names) define the same host \(host); Fairway applies only"
              + " \(winner.namespace)/\(winner.name) (\(reason)). \(role). Merge them into a single"
              + " resource."))
      }
    }
    return messages
  }
}
