import FairwayMesh

/// FW0102: a VirtualService on a Dubbo service uses a field Dubbo routing cannot express. The
/// store refuses such an apply; analyzing files shows it first, with every offending field.
struct DubboRouteAnalyzer: Analyzer {
  let name = "virtualservice.DubboRouteAnalyzer"
  let summary = "Checks VirtualServices on Dubbo services only match on method and attachments"
  let messageTypes: [MessageType] = [.dubboRouteUnsupportedField]

  func analyze(_ mesh: MeshModel) -> [AnalysisMessage] {
    let dubboHosts = DubboRouteRules.dubboHosts(mesh.snapshot.serviceEntries)
    guard !dubboHosts.isEmpty else { return [] }
    return mesh.snapshot.virtualServices.flatMap { config in
      DubboRouteRules.issues(config, dubboHosts: dubboHosts).map {
        AnalysisMessage(.dubboRouteUnsupportedField, config.key, field: $0.fieldPath, $0.message)
      }
    }
  }
}
