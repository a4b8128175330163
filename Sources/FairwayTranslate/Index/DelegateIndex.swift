import FairwayMesh
import FairwayResources

/// Delegate VirtualServices (no `hosts`: valid only as the target of a root's `delegate`) and
/// which roots use each, so a delegate change finds the hosts it reroutes and a root's routes
/// are expanded without scanning every VirtualService.
struct DelegateIndex: Sendable {
  /// Every VirtualService without hosts, by key.
  private var delegates: OverlayDictionary<ConfigKey, TypedConfig<VirtualService>>
  /// Delegate key -> the roots whose routes name it (whether or not it exists yet).
  private var roots: [ConfigKey: Set<ConfigKey>]
  /// Root key -> the delegate keys it names, so a replaced root drops its old references.
  private var references: [ConfigKey: Set<ConfigKey>]

  init(_ configs: [TypedConfig<VirtualService>]) {
    var delegates: [ConfigKey: TypedConfig<VirtualService>] = [:]
    var roots: [ConfigKey: Set<ConfigKey>] = [:]
    var references: [ConfigKey: Set<ConfigKey>] = [:]
    for config in configs {
      if Self.isDelegate(config) { delegates[config.key] = config }
      let named = Self.delegateKeys(of: config)
      if !named.isEmpty { references[config.key] = named }
      for key in named { roots[key, default: []].insert(config.key) }
    }
    self.delegates = OverlayDictionary(delegates)
    self.roots = roots
    self.references = references
  }

  /// A VirtualService without hosts: bound to no host itself.
  static func isDelegate(_ config: TypedConfig<VirtualService>) -> Bool {
    (config.spec.hosts ?? []).isEmpty
  }

  /// The delegates a config's http routes name.
  static func delegateKeys(of config: TypedConfig<VirtualService>) -> Set<ConfigKey> {
    Set(
      (config.spec.http ?? []).compactMap { route in
        route.delegate.flatMap {
          DelegateMerge.delegateKey($0, rootNamespace: config.namespace)
        }
      })
  }

  /// Replaces the VirtualServices in `changes` (nil: deleted).
  mutating func replace(_ changes: [ConfigKey: TypedConfig<VirtualService>?]) {
    for (key, replacement) in changes {
      for old in references[key] ?? [] {
        roots[old]?.remove(key)
        if roots[old]?.isEmpty == true { roots[old] = nil }
      }
      references[key] = nil
      delegates[key] = nil
      guard let replacement else { continue }
      if Self.isDelegate(replacement) { delegates[key] = replacement }
      let named = Self.delegateKeys(of: replacement)
      if !named.isEmpty { references[key] = named }
      for target in named { roots[target, default: []].insert(key) }
    }
  }

  /// The roots naming the delegate `key`.
  func roots(using key: ConfigKey) -> Set<ConfigKey> { roots[key] ?? [] }

  /// The delegate `key`, if it exists and is exported to `namespace` (the root's).
  func delegate(_ key: ConfigKey, visibleFrom namespace: String) -> TypedConfig<VirtualService>? {
    guard let config = delegates[key],
      Visibility(exportTo: config.spec.exportTo, namespace: config.namespace)
        .isVisible(from: namespace)
    else { return nil }
    return config
  }

  /// `root` with its delegating routes expanded (itself when it delegates nothing).
  func expanding(_ root: TypedConfig<VirtualService>) -> TypedConfig<VirtualService> {
    guard references[root.key] != nil else { return root }
    return DelegateMerge.expand(root) { delegate($0, visibleFrom: root.namespace) }
  }
}
