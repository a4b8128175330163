import FairwayMesh

/// The WorkloadEntries a selector can pick, found without scanning them all: those with an
/// address, by namespace, and by every `key=value` label they carry.
struct WorkloadLookup: Sendable {
  private struct Label: Hashable {
    var namespace: String
    var key: String
    var value: String
  }

  private let workloads: [TypedConfig<WorkloadEntry>]
  private let byLabel: [Label: [Int]]
  private let byNamespace: [String: [Int]]

  init(_ all: [TypedConfig<WorkloadEntry>]) {
    let workloads = all.filter(\.spec.hasAddress)
    var byLabel: [Label: [Int]] = [:]
    var byNamespace: [String: [Int]] = [:]
    for (position, workload) in workloads.enumerated() {
      byNamespace[workload.namespace, default: []].append(position)
      for (key, value) in workload.spec.labels ?? [:] {
        byLabel[Label(namespace: workload.namespace, key: key, value: value), default: []]
          .append(position)
      }
    }
    self.workloads = workloads
    self.byLabel = byLabel
    self.byNamespace = byNamespace
  }

  /// WorkloadEntries of `namespace` with an address and every label of `selector`, in store
  /// order (an empty selector takes the whole namespace).
  func selected(namespace: String, selector: [String: String]) -> [TypedConfig<WorkloadEntry>] {
    let lists = selector.map {
      byLabel[Label(namespace: namespace, key: $0.key, value: $0.value)] ?? []
    }
    guard let rarest = lists.min(by: { $0.count < $1.count }) ?? byNamespace[namespace] else {
      return []
    }
    return rarest.map { workloads[$0] }.filter { workload in
      selector.allSatisfy { workload.spec.labels?[$0.key] == $0.value }
    }
  }
}
