import FairwayMesh

/// WorkloadEntries by namespace and by each `label=value` they carry, so a ServiceEntry's
/// selector looks at the workloads sharing one of its labels instead of every workload.
///
/// Keyed by config key so one WorkloadEntry can be replaced without rebuilding the rest (an
/// endpoint-only push updates the previous translation's index in place of a full rebuild).
struct WorkloadIndex: Sendable {
  private struct LabelKey: Hashable {
    let namespace: String
    let key: String
    let value: String
  }

  private var endpoints: [ConfigKey: MeshEndpoint] = [:]
  private var byLabel: [LabelKey: Set<ConfigKey>] = [:]

  init(_ workloads: [TypedConfig<WorkloadEntry>]) {
    endpoints.reserveCapacity(workloads.count)
    for workload in workloads { set(workload.key, to: workload.spec) }
  }

  /// The endpoint stored for `key`, if its WorkloadEntry had a usable address.
  func endpoint(_ key: ConfigKey) -> MeshEndpoint? { endpoints[key] }

  /// Replaces (or with nil removes) the WorkloadEntry stored under `key`.
  mutating func set(_ key: ConfigKey, to entry: WorkloadEntry?) {
    if let old = endpoints.removeValue(forKey: key) {
      for (label, value) in old.labels {
        let labelKey = LabelKey(namespace: key.namespace, key: label, value: value)
        byLabel[labelKey]?.remove(key)
        if byLabel[labelKey]?.isEmpty == true { byLabel[labelKey] = nil }
      }
    }
    guard let entry, let endpoint = MeshEndpoint(entry) else { return }
    endpoints[key] = endpoint
    for (label, value) in endpoint.labels {
      byLabel[LabelKey(namespace: key.namespace, key: label, value: value), default: []]
        .insert(key)
    }
  }

  /// Workloads of `namespace` whose labels contain all of `labels` (which must not be empty).
  func select(namespace: String, labels: [String: String]) -> [MeshEndpoint] {
    // Start from the rarest label so the candidate list is as short as possible.
    let lists = labels.map {
      byLabel[LabelKey(namespace: namespace, key: $0.key, value: $0.value)] ?? []
    }
    guard let shortest = lists.min(by: { $0.count < $1.count }) else { return [] }
    return shortest.compactMap { endpoints[$0] }.filter { $0.matches(labels: labels) }
  }
}
