import FairwayMesh

/// `fairway proxy-config listeners`: istioctl's columns, one row per filter chain (and the
/// default chain) of each listener.
public enum ListenerTable {
  public static let header = ["ADDRESSES", "PORT", "MATCH", "DESTINATION"]

  /// The listener rows of `dump`, optionally only those on `port` or `address`.
  public static func build(_ dump: ConfigDumpView, port: Int? = nil, address: String? = nil)
    -> ProxyConfigTable
  {
    var rows: [[String]] = []
    var resources: [JSONValue] = []
    let listeners = dump.listeners.enumerated().sorted {
      (Self.port($0.element) ?? -1, $0.offset) < (Self.port($1.element) ?? -1, $1.offset)
    }.map(\.element)
    for listener in listeners {
      let addresses = Self.addresses(listener)
      let number = Self.port(listener)
      if let port, port != number { continue }
      if let address, !addresses.contains(address) { continue }
      var chains = listener["filter_chains"]?.arrayValue ?? []
      if let fallback = listener["default_filter_chain"] { chains.append(fallback) }
      for chain in chains {
        rows.append([
          addresses.joined(separator: ","), number.map(String.init) ?? "-",
          describeMatch(chain["filter_chain_match"]), describeDestination(chain),
        ])
      }
      resources.append(listener)
    }
    return ProxyConfigTable(header: header, rows: rows, resources: resources)
  }

  static func addresses(_ listener: JSONValue) -> [String] {
    var found: [String] = []
    if let address = listener["address"]?["socket_address"]?["address"]?.stringValue {
      found.append(address)
    }
    for extra in listener["additional_addresses"]?.arrayValue ?? [] {
      if let address = extra["address"]?["socket_address"]?["address"]?.stringValue {
        found.append(address)
      }
    }
    return found
  }

  static func port(_ listener: JSONValue) -> Int? {
    listener["address"]?["socket_address"]?["port_value"]?.intValue.map(Int.init)
  }

  /// istioctl's summary of a filter chain match: `SNI: …; Trans: …; App: …; Addr: …`, or ALL.
  static func describeMatch(_ match: JSONValue?) -> String {
    guard let match else { return "ALL" }
    var conditions: [String] = []
    let names = match["server_names"]?.arrayValue?.compactMap(\.stringValue) ?? []
    if !names.isEmpty { conditions.append("SNI: " + names.joined(separator: ",")) }
    if let transport = match["transport_protocol"]?.stringValue, !transport.isEmpty {
      conditions.append("Trans: \(transport)")
    }
    let protocols = match["application_protocols"]?.arrayValue?.compactMap(\.stringValue) ?? []
    if !protocols.isEmpty { conditions.append("App: " + protocols.joined(separator: ",")) }
    let ranges = (match["prefix_ranges"]?.arrayValue ?? []).map { range in
      (range["address_prefix"]?.stringValue ?? "")
        + (range["prefix_len"]?.intValue.map { "/\($0)" } ?? "")
    }
    let port = match["destination_port"]?.intValue
    if !ranges.isEmpty || port != nil {
      let where_ = ranges.isEmpty ? "*" : ranges.joined(separator: ",")
      conditions.append("Addr: " + where_ + (port.map { ":\($0)" } ?? ""))
    }
    return conditions.isEmpty ? "ALL" : conditions.joined(separator: "; ")
  }

  /// Where a filter chain sends traffic: `Route: NAME` (RDS), `Inline Route: /*`, `Cluster:
  /// NAME` (TCP), `Dubbo Route: NAME` (DRDS), or istioctl's `Non-HTTP/Non-TCP`.
  static func describeDestination(_ chain: JSONValue) -> String {
    for filter in chain["filters"]?.arrayValue ?? [] {
      let config = filter["typed_config"]
      switch filter["name"]?.stringValue ?? "" {
      case "envoy.filters.network.http_connection_manager":
        if let name = config?["rds"]?["route_config_name"]?.stringValue { return "Route: \(name)" }
        if let inline = config?["route_config"] {
          let matches = (inline["virtual_hosts"]?.arrayValue ?? []).flatMap {
            ($0["routes"]?.arrayValue ?? []).map { RouteTable.describeMatch($0["match"]) }
          }
          return "Inline Route: " + matches.joined(separator: "; ")
        }
      case "envoy.filters.network.tcp_proxy":
        if let cluster = config?["cluster"]?.stringValue {
          return cluster == "PassthroughCluster" || cluster == "BlackHoleCluster"
            ? cluster : "Cluster: \(cluster)"
        }
        if let weighted = config?["weighted_clusters"]?["clusters"]?.arrayValue {
          return "WeightedCluster: "
            + weighted.compactMap { $0["name"]?.stringValue }.joined(separator: ",")
        }
      case let name where name.contains("dubbo_proxy"):
        if let name = config?["drds"]?["route_config_name"]?.stringValue {
          return "Dubbo Route: \(name)"
        }
        if let name = config?["multiple_route_config"]?["name"]?.stringValue {
          return "Dubbo Inline Route: \(name)"
        }
        return "Dubbo Inline Route"
      default:
        continue
      }
    }
    return "Non-HTTP/Non-TCP"
  }
}
