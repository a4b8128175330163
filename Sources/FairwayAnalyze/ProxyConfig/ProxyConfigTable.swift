import FairwayMesh

/// A proxy-config table: istioctl's header and one row per item, plus the resources the rows
/// came from (for `-o json|yaml`).
public struct ProxyConfigTable: Sendable {
  public let header: [String]
  public let rows: [[String]]
  public let resources: [JSONValue]

  /// The table as text, header first.
  public var text: String { TextTable.render([header] + rows) }
}

/// `fairway proxy-config clusters`: istioctl's columns.
public enum ClusterTable {
  public static let header = [
    "SERVICE FQDN", "PORT", "SUBSET", "DIRECTION", "TYPE", "DESTINATION RULE",
  ]

  /// One row per cluster. `mesh` names the DestinationRule that applies to each outbound host
  /// (the translator's choice); without it the column is empty.
  public static func build(_ dump: ConfigDumpView, filter: ClusterFilter, mesh: MeshModel?)
    -> ProxyConfigTable
  {
    var rows: [[String]] = []
    var resources: [JSONValue] = []
    for cluster in sortedByName(dump.clusters, field: "name") {
      let name = cluster["name"]?.stringValue ?? ""
      guard filter.matches(name) else { continue }
      let parts = ClusterNameParts(name)
      var rule = ""
      if parts.direction == "outbound", let applied = mesh?.destinationRule(forHost: parts.fqdn) {
        rule = "\(applied.name).\(applied.namespace)"
      }
      rows.append([
        parts.fqdn, parts.port.map(String.init) ?? "-", dash(parts.subset), dash(parts.direction),
        type(of: cluster), rule,
      ])
      resources.append(cluster)
    }
    return ProxyConfigTable(header: header, rows: rows, resources: resources)
  }

  static func type(of cluster: JSONValue) -> String {
    if let type = cluster["type"]?.stringValue { return type }
    if let custom = cluster["cluster_type"]?["name"]?.stringValue { return custom }
    return "STATIC"
  }
}

func dash(_ text: String) -> String { text.isEmpty ? "-" : text }

/// Resources in istioctl's order of cluster names: by service FQDN, then port, subset and
/// direction (names outside the convention by themselves).
func sortedByName(_ resources: [JSONValue], field: String) -> [JSONValue] {
  resources.map { resource -> (ClusterNameParts, JSONValue) in
    (ClusterNameParts(resource[field]?.stringValue ?? ""), resource)
  }.sorted { lhs, rhs in
    let (a, b) = (lhs.0, rhs.0)
    return (a.fqdn, a.port ?? -1, a.subset, a.direction) < (
      b.fqdn, b.port ?? -1, b.subset, b.direction
    )
  }.map(\.1)
}

/// `fairway proxy-config endpoints`: istioctl's columns, from the endpoints the proxy was sent
/// (EDS, and the inline `load_assignment` of STATIC and DNS clusters).
public enum EndpointTable {
  public static let header = ["ENDPOINT", "STATUS", "OUTLIER CHECK", "CLUSTER"]

  /// STATUS is the health the control plane sent (UNKNOWN, which Envoy treats as healthy, shows
  /// as HEALTHY). Outlier ejections happen inside the proxy, which the control plane cannot see:
  /// OUTLIER CHECK says ENABLED when the cluster has outlier detection, `-` otherwise.
  public static func build(
    _ dump: ConfigDumpView, filter: ClusterFilter, address: String? = nil, status: String? = nil
  ) -> ProxyConfigTable {
    var clusters: [String: JSONValue] = [:]
    for cluster in dump.clusters {
      if let name = cluster["name"]?.stringValue { clusters[name] = cluster }
    }
    var assignments = dump.endpoints
    let assigned = Set(assignments.compactMap { $0["cluster_name"]?.stringValue })
    for cluster in dump.clusters {
      guard let name = cluster["name"]?.stringValue, !assigned.contains(name),
        case .object(var inline)? = cluster["load_assignment"]
      else { continue }
      inline["cluster_name"] = .string(name)
      assignments.append(.object(inline))
    }
    var rows: [[String]] = []
    var resources: [JSONValue] = []
    for assignment in sortedByName(assignments, field: "cluster_name") {
      let name = assignment["cluster_name"]?.stringValue ?? ""
      guard filter.matches(name) else { continue }
      let outlier = clusters[name]?["outlier_detection"] != nil ? "ENABLED" : "-"
      var kept = false
      for locality in assignment["endpoints"]?.arrayValue ?? [] {
        for endpoint in locality["lb_endpoints"]?.arrayValue ?? [] {
          let where_ = Self.address(endpoint["endpoint"]?["address"])
          let health = endpoint["health_status"]?.stringValue ?? "UNKNOWN"
          let shown = health == "UNKNOWN" ? "HEALTHY" : health
          if let address, !where_.hasPrefix(address) { continue }
          if let status, status.uppercased() != shown { continue }
          rows.append([where_, shown, outlier, name])
          kept = true
        }
      }
      if kept || (address == nil && status == nil) { resources.append(assignment) }
    }
    return ProxyConfigTable(header: header, rows: rows, resources: resources)
  }

  /// `IP:PORT`, a pipe path, or the host name of a DNS endpoint.
  static func address(_ value: JSONValue?) -> String {
    if let socket = value?["socket_address"] {
      let host = socket["address"]?.stringValue ?? ""
      let port = socket["port_value"]?.intValue.map { ":\($0)" } ?? ""
      return host.contains(":") ? "[\(host)]\(port)" : host + port
    }
    if let path = value?["pipe"]?["path"]?.stringValue { return "unix://\(path)" }
    return ""
  }
}
