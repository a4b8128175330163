import FairwayMesh

extension InMemoryConfigStore {
  /// Rules that need more than one document: a VirtualService on a Dubbo service may only use
  /// what Dubbo routing can express (`DubboRouteRules`). Checked against the store as it would
  /// be after the batch, so a ServiceEntry that makes an existing host Dubbo is refused too.
  ///
  /// O(batch), whatever the store holds: the Dubbo ServiceEntries and the VirtualServices of
  /// each host come from `CrossObjectIndex`. Scanning the store here made every
  /// VirtualService or ServiceEntry apply O(store) (376-584 ms at 25,000 objects, debug).
  static func crossObjectIssues(
    changed: [ConfigObject], staged: [ConfigKey: ConfigObject], stored: ShardedObjects,
    index: CrossObjectIndex
  ) -> [ValidationIssue] {
    let touchesServices = changed.contains { $0.kind == .serviceEntry }
    guard touchesServices || changed.contains(where: { $0.kind == .virtualService }) else {
      return []
    }
    var entries = index.dubboEntries
    for object in changed where object.kind == .serviceEntry {
      entries[object.key] = CrossObjectIndex.dubboEntry(object)
    }
    // Key order: the first entry to make a host Dubbo is the one issues name.
    let dubboHosts = DubboRouteRules.dubboHosts(entries.values.sorted { $0.key < $1.key })
    guard !dubboHosts.isEmpty else { return [] }
    // The batch's VirtualServices, and those on a host one of the batch's ServiceEntries makes
    // Dubbo (a new Dubbo service can invalidate VirtualServices that were fine before).
    var keys = Set(changed.lazy.filter { $0.kind == .virtualService }.map(\.key))
    for object in changed {
      guard case .serviceEntry(let spec) = object.spec else { continue }
      for written in spec.hosts ?? [] {
        let host = HostName.resolve(written, namespace: object.key.namespace)
        if dubboHosts[host] != nil { keys.formUnion(index.routesByHost[host] ?? []) }
      }
    }
    return keys.sorted().flatMap { key -> [ValidationIssue] in
      guard let object = staged[key] ?? stored[key], case .virtualService(let spec) = object.spec
      else { return [] }
      return DubboRouteRules.issues(
        TypedConfig(key: key, metadata: object.metadata, spec: spec), dubboHosts: dubboHosts)
    }
  }
}
