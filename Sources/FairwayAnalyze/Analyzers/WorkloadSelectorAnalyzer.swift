import FairwayMesh

/// IST0127: a ServiceEntry's workloadSelector matches no WorkloadEntry of its namespace, so
/// the service has no endpoints.
struct WorkloadSelectorAnalyzer: Analyzer {
  let name = "serviceentry.WorkloadSelectorAnalyzer"
  let summary = "Checks the workloadSelector of each ServiceEntry selects a WorkloadEntry"
  let messageTypes: [MessageType] = [.noMatchingWorkloadsFound]

  func analyze(_ mesh: MeshModel) -> [AnalysisMessage] {
    mesh.snapshot.serviceEntries.compactMap { entry in
      guard let selector = entry.spec.workloadSelector?.labels, !selector.isEmpty,
        mesh.workloads.select(namespace: entry.namespace, labels: selector).isEmpty
      else { return nil }
      let labels = selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        .joined(separator: ",")
      return AnalysisMessage(
        .noMatchingWorkloadsFound, entry.key, field: "spec.workloadSelector.labels",
        "No matching workloads for this resource with the following labels: \(labels)"
          + " (no WorkloadEntry with an address in namespace \(entry.namespace) has them)")
    }
  }
}
