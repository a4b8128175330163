import FairwayMesh
import FairwayResources

/// WorkloadEntries by namespace and by each `label=value` they carry, so a ServiceEntry's
/// selector looks at the workloads sharing one of its labels instead of every workload.
///
/// Keyed by config key so one WorkloadEntry can be replaced without rebuilding the rest (an
/// endpoint-only push updates the previous translation's index in place of a full rebuild).
package struct WorkloadIndex: Sendable {
  private struct LabelKey: Hashable, Sendable {
    let namespace: String
    let key: String
    let value: String
  }

  // Overlays: a patched index shares the previous one's tables (see `set`).
  private var endpoints: OverlayDictionary<ConfigKey, MeshEndpoint>
  /// The keys of each label: a common label (`version: v1`) can hold every workload of its
  /// namespace, so the key sets are overlays too.
  private var byLabel: OverlayDictionary<LabelKey, OverlayDictionary<ConfigKey, Void>>

  package init(_ workloads: [TypedConfig<WorkloadEntry>]) {
    var endpoints: [ConfigKey: MeshEndpoint] = [:]
    endpoints.reserveCapacity(workloads.count)
    var byLabel: [LabelKey: [ConfigKey: Void]] = [:]
    for workload in workloads {
      guard let endpoint = MeshEndpoint(workload.spec) else { continue }
      endpoints[workload.key] = endpoint
      for (label, value) in endpoint.labels {
        byLabel[
          LabelKey(namespace: workload.key.namespace, key: label, value: value), default: [:]][
            workload.key] = ()
      }
    }
    self.endpoints = OverlayDictionary(endpoints)
    self.byLabel = OverlayDictionary(byLabel.mapValues { OverlayDictionary($0) })
  }

  /// The endpoint stored for `key`, if its WorkloadEntry had a usable address.
  func endpoint(_ key: ConfigKey) -> MeshEndpoint? { endpoints[key] }

  /// Replaces (or with nil removes) the WorkloadEntry stored under `key`.
  mutating func set(_ key: ConfigKey, to entry: WorkloadEntry?) {
    if let old = endpoints.removeValue(forKey: key) {
      for (label, value) in old.labels {
        let labelKey = LabelKey(namespace: key.namespace, key: label, value: value)
        guard var keys = byLabel[labelKey] else { continue }
        keys.removeValue(forKey: key)
        byLabel[labelKey] = keys.count == 0 ? nil : keys
      }
    }
    guard let entry, let endpoint = MeshEndpoint(entry) else { return }
    endpoints[key] = endpoint
    for (label, value) in endpoint.labels {
      let labelKey = LabelKey(namespace: key.namespace, key: label, value: value)
      var keys = byLabel[labelKey] ?? OverlayDictionary()
      keys[key] = ()
      byLabel[labelKey] = keys
    }
  }

  /// Workloads of `namespace` whose labels contain all of `labels` (which must not be empty).
  package func select(namespace: String, labels: [String: String]) -> [MeshEndpoint] {
    // Start from the rarest label so the candidate list is as short as possible.
    let lists = labels.map {
      byLabel[LabelKey(namespace: namespace, key: $0.key, value: $0.value)] ?? OverlayDictionary()
    }
    guard let shortest = lists.min(by: { $0.count < $1.count }) else { return [] }
    return shortest.compactMap { endpoints[$0.key] }.filter { $0.matches(labels: labels) }
  }
}
