/// A VHDS view's virtual hosts, per route configuration, indexed by the domains they answer:
/// what resolves the `ROUTE_CONFIG_NAME/HOST` names Envoy's on-demand filter asks for.
/// Built once per outbound key and translation from the route configs a full-RDS view gets:
/// their encoded hosts, which are cached across translations, are what VHDS sends (renamed).
struct VHDSCatalog: Sendable {
  typealias VirtualHost = EncodedVirtualHost

  /// The virtual hosts of each route configuration, in route order.
  private(set) var hosts: [String: [VirtualHost]] = [:]
  /// Exact domain -> position in `hosts[config]`.
  private var exact: [String: [String: Int]] = [:]
  /// Wildcard domains (`*.example.com`) as (suffix `.example.com`, position), longest first.
  private var wildcards: [String: [(suffix: String, position: Int)]] = [:]

  init(routeConfigs: [SidecarRouteConfig]) {
    for config in routeConfigs {
      let members = Self.members(of: config)
      hosts[config.name] = members
      var byDomain: [String: Int] = [:]
      var suffixes: [(suffix: String, position: Int)] = []
      for (position, host) in members.enumerated() {
        for domain in host.domains {
          let lowered = domain.lowercased()
          if lowered.hasPrefix("*.") {
            suffixes.append((String(lowered.dropFirst()), position))
          } else if byDomain[lowered] == nil {
            byDomain[lowered] = position
          }
        }
      }
      exact[config.name] = byDomain
      wildcards[config.name] = suffixes.sorted { $0.suffix.count > $1.suffix.count }
    }
  }

  /// This catalog with `routeConfigs`' hosts in place of its own, when they answer exactly
  /// the same domains in the same order (a patched translation's, whose plan was carried):
  /// the domain index holds as it is. Nil when anything moved.
  func reindexed(with routeConfigs: [SidecarRouteConfig]) -> VHDSCatalog? {
    guard routeConfigs.count == hosts.count else { return nil }
    var next = self
    for config in routeConfigs {
      let members = Self.members(of: config)
      guard let old = hosts[config.name], old.count == members.count,
        zip(old, members).allSatisfy({ $0.domains == $1.domains })
      else { return nil }
      next.hosts[config.name] = members
    }
    return next
  }

  /// The hosts of `config` a catalog indexes. The catch-all `*` is not a host of the mesh: an
  /// unknown host gets its own passthrough.
  private static func members(of config: SidecarRouteConfig) -> [VirtualHost] {
    config.virtualHosts.filter { !$0.domains.contains("*") }
  }

  /// The route configuration names.
  var configNames: [String] { hosts.keys.sorted() }

  /// The virtual host of route configuration `config` that Envoy would pick for `host` (its
  /// lower-cased Host header): an exact domain, else the longest wildcard suffix; nil for none.
  func resolve(config: String, host: String) -> VirtualHost? {
    guard let members = hosts[config] else { return nil }
    let lowered = host.lowercased()
    if let position = exact[config]?[lowered] { return members[position] }
    for (suffix, position) in wildcards[config] ?? [] where lowered.hasSuffix(suffix) {
      return members[position]
    }
    return nil
  }

  /// The resource name of a virtual host as Envoy's VHDS names them: `ROUTE_CONFIG_NAME/HOST`.
  static func resourceName(config: String, host: String) -> String { "\(config)/\(host)" }

  /// `name` split into route configuration and host; nil for a name without `/` (a whole
  /// route configuration, which Envoy subscribes to first).
  static func split(_ name: String) -> (config: String, host: String)? {
    guard let slash = name.firstIndex(of: "/") else { return nil }
    return (String(name[..<slash]), String(name[name.index(after: slash)...]))
  }
}
