import FairwayMesh

/// IST0101: a VirtualService sends traffic to a host no ServiceEntry declares. The translator
/// builds no cluster for it, so Envoy answers 503 (NC, no cluster).
struct DestinationHostAnalyzer: Analyzer {
  let name = "virtualservice.DestinationHostAnalyzer"
  let summary = "Checks the destination hosts of VirtualServices are declared by a ServiceEntry"
  let messageTypes: [MessageType] = [.referencedResourceNotFound]

  func analyze(_ mesh: MeshModel) -> [AnalysisMessage] {
    var messages: [AnalysisMessage] = []
    for config in mesh.snapshot.virtualServices {
      for target in config.spec.allDestinations {
        guard let written = target.destination.host, !written.isEmpty else { continue }
        let host = HostName.resolve(written, namespace: config.namespace)
        guard mesh.service(host: host) == nil else { continue }
        messages.append(
          AnalysisMessage(
            .referencedResourceNotFound, config.key, field: "\(target.path).host",
            "Referenced host not found: \"\(host)\""))
      }
    }
    return messages
  }
}
