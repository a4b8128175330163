import FairwayMesh
import FairwayTranslate

/// IST0109: two VirtualServices for the mesh name the same host and some namespace sees both.
/// As istiod, sidecars do not merge them: a proxy gets the routes of the oldest one it can see
/// (`VirtualServicePrecedence`: creation time, then name, then namespace); the others' routes
/// are dropped.
struct ConflictingVirtualServiceAnalyzer: Analyzer {
  let name = "virtualservice.ConflictingMeshGatewayHostsAnalyzer"
  let summary = "Checks a host is not routed by more than one mesh VirtualService"
  let messageTypes: [MessageType] = [.conflictingMeshGatewayVirtualServiceHosts]

  func analyze(_ mesh: MeshModel) -> [AnalysisMessage] {
    // Host -> the VirtualServices naming it (key order), with the index of the host in each.
    var byHost: [String: [(config: TypedConfig<VirtualService>, index: Int)]] = [:]
    for config in mesh.snapshot.virtualServices {
      var seen: Set<String> = []
      for (index, host) in MeshModel.routeHosts(config).enumerated()
      where seen.insert(host).inserted {
        byHost[host, default: []].append((config, index))
      }
    }
    var messages: [AnalysisMessage] = []
    for (host, bound) in byHost where bound.count > 1 {
      let scopes = bound.map {
        ExportScope(exportTo: $0.config.spec.exportTo, namespace: $0.config.namespace)
      }
      let conflicting = bound.indices.filter { i in
        bound.indices.contains { j in j != i && scopes[i].overlaps(scopes[j]) }
      }
      let ordered = VirtualServicePrecedence.ordered(conflicting.map { bound[$0].config })
      guard let winner = ordered.first else { continue }
      let names = ordered.map { "\($0.namespace)/\($0.name)" }.joined(separator: ",")
      for position in conflicting {
        let (config, index) = bound[position]
        messages.append(
          AnalysisMessage(
            .conflictingMeshGatewayVirtualServiceHosts, config.key, field: "spec.hosts[\(index)]",
            "The VirtualServices \(names) associated with mesh gateway define the same host \(host)"
              + " which can lead to undefined behavior. This can be fixed by merging the conflicting"
              + " VirtualServices into a single resource. Fairway routes with"
              + " \(winner.namespace)/\(winner.name) (the oldest) wherever both are visible."))
      }
    }
    return messages
  }
}
