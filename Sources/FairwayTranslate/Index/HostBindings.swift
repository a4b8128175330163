import FairwayMesh
import FairwayResources

/// Configs that name hosts (a DestinationRule's `host`, a VirtualService's `hosts`), indexed by
/// what they name, so a changed config leads straight to the service hosts it can affect.
///
/// Before this, a one-object DestinationRule or VirtualService change re-ranked the configs of
/// every service host: O(services) for an O(1) change (22.7 ms at 10,000 services). Now an exact
/// host costs its own candidates; only a changed wildcard still looks at every service, since
/// any of them may match it.
struct HostBindings<Spec: Sendable & Equatable>: Sendable {
  /// A wildcard pattern (`*`, `*.suffix`) and the config naming it.
  struct Wildcard: Sendable {
    let pattern: String
    let config: TypedConfig<Spec>
  }

  /// Exact host -> the configs naming it, in key order (a snapshot's order, which breaks ties).
  private var exact: OverlayDictionary<String, [TypedConfig<Spec>]>
  /// Every wildcard binding, in key order. Meshes have few, so a change rewrites the list.
  private(set) var wildcards: [Wildcard]
  /// Every config by key, with the hosts it was bound under (none when it binds nothing, like
  /// a gateway-only VirtualService), so a replacement finds what it bound before.
  private var configs: OverlayDictionary<ConfigKey, (config: TypedConfig<Spec>, hosts: [String])>
  /// The hosts a config binds, resolved in its namespace; the same for the life of the table.
  private let hostsOf: @Sendable (TypedConfig<Spec>) -> [String]

  /// What a replacement touched: exact hosts gaining or losing a config, and wildcard patterns
  /// gaining or losing one (every service host they match is affected).
  struct Touched: Sendable {
    var hosts: Set<String> = []
    var patterns: Set<String> = []
  }

  /// Binds `configs` (sorted by key, as a snapshot lists them) under the hosts `hostsOf` gives.
  init(
    _ configs: [TypedConfig<Spec>], hostsOf: @escaping @Sendable (TypedConfig<Spec>) -> [String]
  ) {
    self.hostsOf = hostsOf
    var exact: [String: [TypedConfig<Spec>]] = [:]
    var wildcards: [Wildcard] = []
    var byKey: [ConfigKey: (config: TypedConfig<Spec>, hosts: [String])] = [:]
    for config in configs {
      let hosts = hostsOf(config)
      byKey[config.key] = (config, hosts)
      for host in hosts {
        if host.hasPrefix("*") {
          wildcards.append(Wildcard(pattern: host, config: config))
        } else {
          exact[host, default: []].append(config)
        }
      }
    }
    self.exact = OverlayDictionary(exact)
    self.wildcards = wildcards
    self.configs = OverlayDictionary(byKey)
  }

  /// The config with `key`, if bound.
  subscript(key: ConfigKey) -> TypedConfig<Spec>? { configs[key]?.config }

  /// The configs naming `host` exactly, in key order.
  func exactly(_ host: String) -> [TypedConfig<Spec>] { exact[host] ?? [] }

  /// Replaces the configs in `changes` (nil: deleted) and says which hosts and patterns that
  /// touched. Costs the changed configs' hosts, plus one pass over the wildcards when a
  /// changed config names one.
  mutating func replace(_ changes: [ConfigKey: TypedConfig<Spec>?]) -> Touched {
    var touched = Touched()
    for (key, replacement) in changes {
      if let old = configs[key] {
        for host in old.hosts {
          if host.hasPrefix("*") {
            touched.patterns.insert(host)
          } else {
            touched.hosts.insert(host)
            let remaining = (exact[host] ?? []).filter { $0.key != key }
            exact[host] = remaining.isEmpty ? nil : remaining
          }
        }
      }
      guard let replacement else {
        configs[key] = nil
        continue
      }
      let hosts = hostsOf(replacement)
      configs[key] = (replacement, hosts)
      for host in hosts {
        if host.hasPrefix("*") {
          touched.patterns.insert(host)
        } else {
          touched.hosts.insert(host)
          var list = exact[host] ?? []
          let position = list.firstIndex { $0.key > key } ?? list.endIndex
          list.insert(replacement, at: position)
          exact[host] = list
        }
      }
    }
    if !touched.patterns.isEmpty {
      var next = wildcards.filter { changes[$0.config.key] == nil }
      for case let config? in changes.values {
        for host in configs[config.key]?.hosts ?? [] where host.hasPrefix("*") {
          next.append(Wildcard(pattern: host, config: config))
        }
      }
      // Stable: one config's patterns keep the order `hostsOf` gave them.
      wildcards = next.enumerated().sorted {
        ($0.element.config.key, $0.offset) < ($1.element.config.key, $1.offset)
      }.map(\.element)
    }
    return touched
  }
}
