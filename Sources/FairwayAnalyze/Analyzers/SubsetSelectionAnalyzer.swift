import FairwayMesh

/// IST0173: a DestinationRule subset whose labels select none of the host's endpoints
/// (WorkloadEntries a ServiceEntry selects, or its inline endpoints). Its cluster is empty and
/// requests routed to it fail with 503 UH.
struct SubsetSelectionAnalyzer: Analyzer {
  let name = "destinationrule.PodNotSelectedAnalyzer"
  let summary = "Checks each DestinationRule subset selects at least one endpoint"
  let messageTypes: [MessageType] = [.destinationRuleSubsetNotSelectPods]

  func analyze(_ mesh: MeshModel) -> [AnalysisMessage] {
    var messages: [AnalysisMessage] = []
    for rule in mesh.snapshot.destinationRules {
      guard let host = MeshModel.ruleHost(rule) else { continue }
      let services = mesh.services(matching: host)
      // An unknown host is DestinationRuleHostAnalyzer's message.
      guard !services.isEmpty else { continue }
      let endpoints = services.flatMap(\.endpointLabels)
      for (index, subset) in (rule.spec.subsets ?? []).enumerated() {
        let selector = subset.labels ?? [:]
        let selects = endpoints.contains { labels in
          selector.allSatisfy { labels[$0.key] == $0.value }
        }
        guard !selects else { continue }
        let wanted =
          selector.isEmpty
          ? "any endpoint"
          : selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            .joined(separator: ",")
        messages.append(
          AnalysisMessage(
            .destinationRuleSubsetNotSelectPods, rule.key, field: "spec.subsets[\(index)]",
            "The Subset \(subset.name ?? "") defined in the DestinationRule does not select any"
              + " endpoints (\(wanted)) of \(services.map(\.host).joined(separator: ", ")). Which"
              + " may lead to 503 UH (NoHealthyUpstream)."))
      }
    }
    return messages
  }
}
