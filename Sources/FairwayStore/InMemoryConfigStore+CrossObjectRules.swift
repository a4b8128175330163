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
    func current(_ key: ConfigKey) -> ConfigObject? { staged[key] ?? stored[key] }
    let keys = Set(stored.keys).union(staged.keys)
    var entries: [TypedConfig<ServiceEntry>] = []
    for key in keys.sorted() where key.kind == .serviceEntry {
      guard let object = current(key), case .serviceEntry(let spec) = object.spec else { continue }
      entries.append(TypedConfig(key: key, metadata: object.metadata, spec: spec))
    }
    let dubboHosts = DubboRouteRules.dubboHosts(entries)
    guard !dubboHosts.isEmpty else { return [] }
    // A new Dubbo service can invalidate VirtualServices that were fine before.
    let candidates =
      touchesServices
      ? keys.sorted().filter { $0.kind == .virtualService }
      : changed.filter { $0.kind == .virtualService }.map(\.key)
    return candidates.flatMap { key -> [ValidationIssue] in
      guard let object = current(key), case .virtualService(let spec) = object.spec else {
        return []
      }
      return DubboRouteRules.issues(
        TypedConfig(key: key, metadata: object.metadata, spec: spec), dubboHosts: dubboHosts)
    }
  }
}
