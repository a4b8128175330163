import FairwayMesh

/// Changed objects a translation can be patched with instead of rebuilt from a snapshot:
/// only WorkloadEntries (their services' endpoints), or only VirtualServices (the route
/// lookups). Anything else, or a mix, needs a full translation.
public enum TranslationPatch: Sendable {
  case workloads([ConfigKey: WorkloadEntry?])
  case virtualServices([ConfigKey: TypedConfig<VirtualService>?])

  /// The kind a patch for `keys` would be, or nil when they need a full translation.
  public static func kind(of keys: Set<ConfigKey>) -> ConfigKind? {
    guard let first = keys.first?.kind, first == .workloadEntry || first == .virtualService,
      keys.allSatisfy({ $0.kind == first })
    else { return nil }
    return first
  }

  /// The patch for the changed objects as they are now (nil: deleted), keyed by what changed;
  /// nil when `kind(of:)` their keys is nil.
  public init?(_ objects: [ConfigKey: ConfigObject?]) {
    switch Self.kind(of: Set(objects.keys)) {
    case .workloadEntry?:
      self = .workloads(
        objects.mapValues { object in
          guard case .workloadEntry(let spec)? = object?.spec else { return nil }
          return spec
        })
    case .virtualService?:
      self = .virtualServices(
        Dictionary(
          uniqueKeysWithValues: objects.map { key, object in
            guard let object, case .virtualService(let spec) = object.spec else {
              return (key, nil)
            }
            return (key, TypedConfig(key: key, metadata: object.metadata, spec: spec))
          }))
    default:
      return nil
    }
  }
}
