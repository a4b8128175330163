import FairwayMesh

/// `fairway proxy-config routes`: istioctl's columns, one row per route of each virtual host
/// of the RDS (and Dubbo DRDS) configs, plus DESTINATION: where the route sends traffic.
public enum RouteTable {
  public static let header = [
    "NAME", "VHOST NAME", "DOMAINS", "MATCH", "VIRTUAL SERVICE", "DESTINATION",
  ]

  /// `mesh` names the VirtualService that routes each virtual host's service for the proxy's
  /// namespace (the translator's choice); without it the column is empty. Routes to
  /// PassthroughCluster are left out, as istioctl does.
  public static func build(_ dump: ConfigDumpView, name: String? = nil, mesh: MeshModel?)
    -> ProxyConfigTable
  {
    var rows: [[String]] = []
    var resources: [JSONValue] = []
    func virtualService(_ host: String) -> String {
      guard let mesh, let namespace = dump.proxyNamespace,
        let config = mesh.virtualService(forHost: host, proxyNamespace: namespace)
      else { return "" }
      return "\(config.name).\(config.namespace)"
    }
    for config in dump.routes {
      let routeName = config["name"]?.stringValue ?? ""
      if let name, name != routeName { continue }
      resources.append(config)
      for vhost in config["virtual_hosts"]?.arrayValue ?? [] {
        let vhostName = vhost["name"]?.stringValue ?? ""
        let domains = describeDomains(vhost["domains"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let host = vhostName.split(separator: ":").first.map(String.init) ?? vhostName
        let routes = vhost["routes"]?.arrayValue ?? []
        if routes.isEmpty {
          rows.append([routeName, vhostName, domains, "/*", "404", ""])
        }
        for route in routes where route["route"]?["cluster"]?.stringValue != "PassthroughCluster" {
          rows.append([
            routeName, vhostName, domains, describeMatch(route["match"]), virtualService(host),
            describeAction(route),
          ])
        }
      }
    }
    for multiple in dump.dubboRoutes {
      let routeName = multiple["name"]?.stringValue ?? ""
      if let name, name != routeName { continue }
      resources.append(multiple)
      for config in multiple["route_config"]?.arrayValue ?? [] {
        let interface = config["interface"]?.stringValue ?? ""
        for route in config["routes"]?.arrayValue ?? [] {
          rows.append([
            routeName, config["name"]?.stringValue ?? "", interface,
            describeDubboMatch(route["match"]), virtualService(interface), describeAction(route),
          ])
        }
      }
    }
    return ProxyConfigTable(header: header, rows: rows, resources: resources)
  }

  /// istioctl's domain summary: the two shortest names without a port, then `+ N more...`.
  static func describeDomains(_ domains: [String]) -> String {
    if domains.count <= 1 { return domains.first ?? "" }
    let withoutPort = domains.enumerated().filter { !$0.element.contains(":") }
      .sorted { ($0.element.count, $0.offset) < ($1.element.count, $1.offset) }.map(\.element)
    let shown = withoutPort.prefix(2).joined(separator: ", ")
    return withoutPort.count > 2 ? "\(shown) + \(withoutPort.count - 2) more..." : shown
  }

  /// istioctl's route match: `PREFIX*`, an exact path, `regex R`.
  static func describeMatch(_ match: JSONValue?) -> String {
    guard let match else { return "" }
    var conditions: [String] = []
    if let prefix = match["prefix"]?.stringValue { conditions.append("\(prefix)*") }
    if let prefix = match["path_separated_prefix"]?.stringValue {
      conditions.append("PathPrefix:\(prefix)")
    }
    if let path = match["path"]?.stringValue { conditions.append(path) }
    if let regex = match["safe_regex"]?["regex"]?.stringValue {
      conditions.append("regex \(regex)")
    }
    return conditions.joined(separator: " ")
  }

  static func describeDubboMatch(_ match: JSONValue?) -> String {
    let name = match?["method"]?["name"]
    if let exact = name?["exact"]?.stringValue { return "method \(exact)" }
    if let prefix = name?["prefix"]?.stringValue { return "method \(prefix)*" }
    if let regex = name?["safe_regex"]?["regex"]?.stringValue { return "method regex \(regex)" }
    return "*"
  }

  /// Where a route sends traffic: its cluster, the weighted clusters with their shares, or what
  /// it answers itself.
  static func describeAction(_ route: JSONValue) -> String {
    if let action = route["route"] {
      if let cluster = action["cluster"]?.stringValue { return cluster }
      if let weighted = action["weighted_clusters"]?["clusters"]?.arrayValue {
        let weights = weighted.map { $0["weight"]?.intValue ?? 0 }
        let total = max(weights.reduce(0, +), 1)
        return zip(weighted, weights).map { cluster, weight in
          "\(cluster["name"]?.stringValue ?? "") \(weight * 100 / total)%"
        }.joined(separator: ", ")
      }
      if let header = action["cluster_header"]?.stringValue {
        return "cluster from header \(header)"
      }
    }
    if route["redirect"] != nil { return "redirect" }
    if let status = route["direct_response"]?["status"]?.intValue {
      return "direct response \(status)"
    }
    return ""
  }
}
