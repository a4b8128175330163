import FairwayMesh

/// Changed objects a translation can be patched with instead of rebuilt from a snapshot:
/// only WorkloadEntries (their services' endpoints), only VirtualServices (the route lookups),
/// or only DestinationRules (the rule lookup and their services' subsets). ServiceEntries, or
/// a mix of kinds, need a full translation.
package enum TranslationPatch: Sendable {
  case workloads([ConfigKey: WorkloadEntry?])
  case virtualServices([ConfigKey: TypedConfig<VirtualService>?])
  case destinationRules([ConfigKey: TypedConfig<DestinationRule>?])

  /// The kind a patch for `keys` would be, or nil when they need a full translation.
  package static func kind(of keys: Set<ConfigKey>) -> ConfigKind? {
    guard let first = keys.first?.kind,
      first == .workloadEntry || first == .virtualService || first == .destinationRule,
      keys.allSatisfy({ $0.kind == first })
    else { return nil }
    return first
  }

  /// The patch for the changed objects as they are now (nil: deleted), keyed by what changed;
  /// nil when `kind(of:)` their keys is nil.
  package init?(_ objects: [ConfigKey: ConfigObject?]) {
    switch Self.kind(of: Set(objects.keys)) {
    case .workloadEntry?:
      self = .workloads(
        objects.mapValues { object in
          // Not serving (health checked and unhealthy) patches like a deletion.
          guard let object, case .workloadEntry(let spec) = object.spec,
            WorkloadHealth.isServing(object.metadata)
          else { return nil }
          return spec
        })
    case .virtualService?:
      self = .virtualServices(
        objects.typed { object in
          guard case .virtualService(let spec) = object.spec else { return nil }
          return spec
        })
    case .destinationRule?:
      self = .destinationRules(
        objects.typed { object in
          guard case .destinationRule(let spec) = object.spec else { return nil }
          return spec
        })
    default:
      return nil
    }
  }
}

extension Dictionary where Key == ConfigKey, Value == ConfigObject? {
  /// Each object as a typed config of the spec `spec` extracts (nil: deleted or another kind).
  fileprivate func typed<Spec>(_ spec: (ConfigObject) -> Spec?) -> [ConfigKey: TypedConfig<Spec>?] {
    [ConfigKey: TypedConfig<Spec>?](
      uniqueKeysWithValues: map { key, object in
        guard let object, let value = spec(object) else { return (key, nil) }
        return (key, TypedConfig(key: key, metadata: object.metadata, spec: value))
      })
  }
}
