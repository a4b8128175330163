import FairwayMesh

/// IST0101: a VirtualService routes to a subset the DestinationRule that applies to the host
/// does not define. Only that one rule counts: a subset defined in a rule that loses to
/// another for the host is not defined as far as the translator is concerned.
struct DestinationSubsetAnalyzer: Analyzer {
  let name = "virtualservice.DestinationRuleAnalyzer"
  let summary =
    "Checks the subsets VirtualServices route to are defined by the host's DestinationRule"
  let messageTypes: [MessageType] = [.referencedResourceNotFound]

  func analyze(_ mesh: MeshModel) -> [AnalysisMessage] {
    var messages: [AnalysisMessage] = []
    for config in mesh.snapshot.virtualServices {
      for target in config.spec.allDestinations {
        guard let written = target.destination.host, !written.isEmpty,
          let subset = target.destination.subset, !subset.isEmpty
        else { continue }
        let host = HostName.resolve(written, namespace: config.namespace)
        // An undeclared host is DestinationHostAnalyzer's message.
        guard mesh.service(host: host) != nil else { continue }
        let rule = mesh.destinationRule(forHost: host)
        if rule?.spec.subsets?.contains(where: { $0.name == subset }) == true { continue }
        var text = "Referenced host+subset in destinationrule not found: \"\(host)+\(subset)\""
        let elsewhere = mesh.snapshot.destinationRules.first { other in
          other.key != rule?.key && MeshModel.ruleHost(other) == host
            && other.spec.subsets?.contains(where: { $0.name == subset }) == true
        }
        if let elsewhere, let rule {
          text +=
            " (DestinationRule \(elsewhere.namespace)/\(elsewhere.name) defines it, but"
            + " \(rule.namespace)/\(rule.name) is the one that applies to the host)"
        } else if let rule {
          text += " (DestinationRule \(rule.namespace)/\(rule.name) applies to the host)"
        } else {
          text += " (no DestinationRule applies to the host)"
        }
        messages.append(
          AnalysisMessage(
            .referencedResourceNotFound, config.key, field: "\(target.path).subset", text))
      }
    }
    return messages
  }
}
