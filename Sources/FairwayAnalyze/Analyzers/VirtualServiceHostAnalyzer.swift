import FairwayMesh

/// FW0104: a VirtualService (for the mesh) names a host no ServiceEntry declares. Fairway
/// builds routes per service, so such a host is never routed by it.
struct VirtualServiceHostAnalyzer: Analyzer {
  let name = "virtualservice.HostAnalyzer"
  let summary = "Checks the hosts of mesh VirtualServices match a declared service"
  let messageTypes: [MessageType] = [.virtualServiceHostNotFound]

  func analyze(_ mesh: MeshModel) -> [AnalysisMessage] {
    var messages: [AnalysisMessage] = []
    for config in mesh.snapshot.virtualServices {
      let gateways = config.spec.gateways ?? []
      guard gateways.isEmpty || gateways.contains("mesh") else { continue }
      for (index, written) in (config.spec.hosts ?? []).enumerated() {
        let host = HostName.resolve(written, namespace: config.namespace)
        guard mesh.services(matching: host).isEmpty else { continue }
        messages.append(
          AnalysisMessage(
            .virtualServiceHostNotFound, config.key, field: "spec.hosts[\(index)]",
            "The host \(host) is not declared by any ServiceEntry, so no proxy is given these routes."
          ))
      }
    }
    return messages
  }
}
