import FairwayMesh

/// IST0174: a DestinationRule's host matches no service, so it applies to nothing.
struct DestinationRuleHostAnalyzer: Analyzer {
  let name = "destinationrule.UnknownHostAnalyzer"
  let summary = "Checks the host of each DestinationRule matches a declared service"
  let messageTypes: [MessageType] = [.unknownDestinationRuleHost]

  func analyze(_ mesh: MeshModel) -> [AnalysisMessage] {
    mesh.snapshot.destinationRules.compactMap { rule in
      guard let host = MeshModel.ruleHost(rule), mesh.services(matching: host).isEmpty else {
        return nil
      }
      return AnalysisMessage(
        .unknownDestinationRuleHost, rule.key, field: "spec.host",
        "The host \(rule.spec.host ?? host) defined in the DestinationRule does not match any"
          + " services in the mesh.")
    }
  }
}
