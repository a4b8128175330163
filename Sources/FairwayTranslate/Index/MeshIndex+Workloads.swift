import FairwayMesh

extension MeshIndex {
  /// This index with the WorkloadEntries in `changes` replaced (nil: deleted), and the
  /// positions of the services whose endpoints changed.
  ///
  /// Only services whose selector matches the old or new labels of a changed WorkloadEntry are
  /// re-resolved, so the cost follows the change, not the mesh. Everything else a WorkloadEntry
  /// cannot alter (hosts, rules, routes, selectors) is shared with this index.
  func updatingWorkloads(_ changes: [ConfigKey: WorkloadEntry?]) -> (
    index: MeshIndex, changedServices: [Int]
  ) {
    var next = self
    var candidates: Set<Int> = []
    for (key, entry) in changes {
      var labelSets: [[String: String]] = []
      if let old = workloads.endpoint(key) { labelSets.append(old.labels) }
      if let entry { labelSets.append(entry.labels ?? [:]) }
      next.workloads.set(key, to: entry)
      for labels in labelSets {
        candidates.formUnion(servicesSelecting(namespace: key.namespace, labels: labels))
      }
    }
    var changed: [Int] = []
    for position in candidates.sorted() {
      let service = services[position]
      guard let entry = serviceEntryConfigs[service.source],
        let rebuilt = MeshIndex.services(
          from: entry,
          workloads: next.workloads
        ).first(where: { $0.host == service.host })
      else { continue }
      guard rebuilt.endpoints != service.endpoints else { continue }
      for address in Set(service.endpoints.map(\.address)) {
        let remaining = (next.servicesByEndpointAddress[address] ?? []).filter { $0 != position }
        next.servicesByEndpointAddress[address] = remaining.isEmpty ? nil : remaining
      }
      for address in Set(rebuilt.endpoints.map(\.address)) {
        // Kept ascending, as a fresh build leaves it.
        next.servicesByEndpointAddress[address] =
          ((next.servicesByEndpointAddress[address] ?? []) + [position]).sorted()
      }
      next.services[position] = rebuilt
      changed.append(position)
    }
    return (next, changed)
  }
}
