import FairwayMesh

extension InMemoryConfigStore {
  /// Rules that need more than one document: a VirtualService on a Dubbo service may only use
  /// what Dubbo routing can express (`DubboRouteRules`). Checked against the store as it would
  /// be after the batch, so a ServiceEntry that makes an existing host Dubbo is refused too.
  /// Only batches with a VirtualService or ServiceEntry pay for the scan.
  static func crossObjectIssues(
    changed: [ConfigObject], staged: [ConfigKey: ConfigObject], stored: [ConfigKey: ConfigObject]
  ) -> [ValidationIssue] {
    let touchesServices = changed.contains { $0.kind == .serviceEntry }
    guard touchesServices || changed.contains(where: { $0.kind == .virtualService }) else {
      return []
    }
    // The store's ServiceEntries and VirtualServices as they would be after the batch, in key
    // order (issues come out in that order). Only those two kinds: sorting (and copying) every
    // WorkloadEntry made each apply O(store) in the largest kind.
    let relevant = { (object: ConfigObject) in
      object.kind == .serviceEntry || object.kind == .virtualService
    }
    var current = staged.values.filter(relevant)
    for (key, object) in stored where staged[key] == nil && relevant(object) {
      current.append(object)
    }
    current.sort { $0.key < $1.key }
    var entries: [TypedConfig<ServiceEntry>] = []
    var routes: [TypedConfig<VirtualService>] = []
    for object in current {
      switch object.spec {
      case .serviceEntry(let spec):
        entries.append(TypedConfig(key: object.key, metadata: object.metadata, spec: spec))
      case .virtualService(let spec):
        routes.append(TypedConfig(key: object.key, metadata: object.metadata, spec: spec))
      default: break
      }
    }
    let dubboHosts = DubboRouteRules.dubboHosts(entries)
    guard !dubboHosts.isEmpty else { return [] }
    // A new Dubbo service can invalidate VirtualServices that were fine before.
    let changedKeys = Set(changed.map(\.key))
    return routes.filter { touchesServices || changedKeys.contains($0.key) }.flatMap {
      DubboRouteRules.issues($0, dubboHosts: dubboHosts)
    }
  }
}
