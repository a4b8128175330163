import FairwayMesh

/// What the cross-object rules read, kept in step with every change so checking a batch never
/// scans the store: the ServiceEntries with a Dubbo port (few), and the VirtualServices that
/// name each host.
struct CrossObjectIndex: Sendable {
  private(set) var dubboEntries: [ConfigKey: TypedConfig<ServiceEntry>] = [:]
  /// Resolved host -> VirtualServices whose `hosts` name it.
  private(set) var routesByHost: [String: Set<ConfigKey>] = [:]

  /// Records that the object at a key changed from `old` to `new` (nil: absent).
  mutating func replace(_ old: ConfigObject?, with new: ConfigObject?) {
    if let old { remove(old) }
    if let new { add(new) }
  }

  /// `object` as a Dubbo ServiceEntry, nil when it is not one.
  static func dubboEntry(_ object: ConfigObject) -> TypedConfig<ServiceEntry>? {
    guard case .serviceEntry(let spec) = object.spec else { return nil }
    let typed = TypedConfig(key: object.key, metadata: object.metadata, spec: spec)
    return DubboRouteRules.dubboHosts([typed]).isEmpty ? nil : typed
  }

  private static func hosts(_ spec: VirtualService, namespace: String) -> Set<String> {
    Set((spec.hosts ?? []).map { HostName.resolve($0, namespace: namespace) })
  }

  private mutating func add(_ object: ConfigObject) {
    switch object.spec {
    case .serviceEntry:
      dubboEntries[object.key] = Self.dubboEntry(object)
    case .virtualService(let spec):
      for host in Self.hosts(spec, namespace: object.key.namespace) {
        routesByHost[host, default: []].insert(object.key)
      }
    default:
      break
    }
  }

  private mutating func remove(_ object: ConfigObject) {
    switch object.spec {
    case .serviceEntry:
      dubboEntries[object.key] = nil
    case .virtualService(let spec):
      for host in Self.hosts(spec, namespace: object.key.namespace) {
        routesByHost[host]?.remove(object.key)
        if routesByHost[host]?.isEmpty == true { routesByHost[host] = nil }
      }
    default:
      break
    }
  }
}
