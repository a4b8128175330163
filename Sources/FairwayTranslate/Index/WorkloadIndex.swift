import FairwayMesh

/// WorkloadEntries by namespace and by each `label=value` they carry, so a ServiceEntry's
/// selector looks at the workloads sharing one of its labels instead of every workload.
struct WorkloadIndex: Sendable {
  private struct LabelKey: Hashable {
    let namespace: String
    let key: String
    let value: String
  }

  private let endpoints: [MeshEndpoint]
  private var byLabel: [LabelKey: [Int]] = [:]

  init(_ workloads: [TypedConfig<WorkloadEntry>]) {
    var endpoints: [MeshEndpoint] = []
    var byLabel: [LabelKey: [Int]] = [:]
    for workload in workloads {
      guard let endpoint = MeshEndpoint(workload.spec) else { continue }
      let position = endpoints.count
      endpoints.append(endpoint)
      for (key, value) in endpoint.labels {
        byLabel[LabelKey(namespace: workload.namespace, key: key, value: value), default: []]
          .append(position)
      }
    }
    self.endpoints = endpoints
    self.byLabel = byLabel
  }

  /// Workloads of `namespace` whose labels contain all of `labels` (which must not be empty).
  func select(namespace: String, labels: [String: String]) -> [MeshEndpoint] {
    // Start from the rarest label so the candidate list is as short as possible.
    let lists = labels.map {
      byLabel[LabelKey(namespace: namespace, key: $0.key, value: $0.value)] ?? []
    }
    guard let shortest = lists.min(by: { $0.count < $1.count }) else { return [] }
    return shortest.map { endpoints[$0] }.filter { $0.matches(labels: labels) }
  }
}
