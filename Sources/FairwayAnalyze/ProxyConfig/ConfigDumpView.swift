import FairwayMesh

/// The resources of a `/debug/config_dump` answer (Envoy's admin `ConfigDump` as proto JSON),
/// sorted out by type.
public struct ConfigDumpView: Sendable {
  public var clusters: [JSONValue] = []
  public var endpoints: [JSONValue] = []
  public var listeners: [JSONValue] = []
  public var routes: [JSONValue] = []
  /// Dubbo `MultipleRouteConfiguration`s (`drds`).
  public var dubboRoutes: [JSONValue] = []
  /// The namespace of the proxy the dump is for, when the answer says (hypothetical proxies)
  /// or the node id does (`sidecar~IP~POD.NS~NS.svc.cluster.local`).
  public var proxyNamespace: String?

  /// A problem with the dump itself.
  public struct Malformed: Error, CustomStringConvertible {
    public let description: String
  }

  /// Reads one dump; for a proxy with several streams (`{"streams":[...]}`), the first.
  public init(_ value: JSONValue, proxyID: String? = nil) throws {
    var dump = value
    if let streams = value["streams"]?.arrayValue {
      guard let first = streams.first else { throw Malformed(description: "no streams in dump") }
      dump = first
    }
    guard let configs = dump["configs"]?.arrayValue else {
      throw Malformed(description: "no \"configs\" in config dump")
    }
    for section in configs {
      switch section["@type"]?.stringValue ?? "" {
      case "type.googleapis.com/envoy.admin.v3.ClustersConfigDump":
        clusters +=
          Self.items(section, "dynamic_active_clusters", "cluster")
          + Self.items(section, "static_clusters", "cluster")
      case "type.googleapis.com/envoy.admin.v3.EndpointsConfigDump":
        endpoints +=
          Self.items(section, "dynamic_endpoint_configs", "endpoint_config")
          + Self.items(section, "static_endpoint_configs", "endpoint_config")
      case "type.googleapis.com/envoy.admin.v3.ListenersConfigDump":
        listeners +=
          (section["dynamic_listeners"]?.arrayValue ?? []).compactMap {
            $0["active_state"]?["listener"]
          } + Self.items(section, "static_listeners", "listener")
      case "type.googleapis.com/envoy.admin.v3.RoutesConfigDump":
        routes +=
          Self.items(section, "dynamic_route_configs", "route_config")
          + Self.items(section, "static_route_configs", "route_config")
      case let type where type.hasSuffix("dubbo_proxy.v3.MultipleRouteConfiguration"):
        dubboRoutes.append(section)
      default:
        continue
      }
    }
    if let namespace = dump["proxy"]?["namespace"]?.stringValue, !namespace.isEmpty {
      proxyNamespace = namespace
    } else if let proxyID {
      proxyNamespace = Self.namespace(ofNodeID: proxyID)
    }
  }

  static func items(_ section: JSONValue, _ list: String, _ field: String) -> [JSONValue] {
    (section[list]?.arrayValue ?? []).compactMap { $0[field] }
  }

  /// `sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local` -> `ns`.
  public static func namespace(ofNodeID id: String) -> String? {
    let parts = id.split(separator: "~", omittingEmptySubsequences: false)
    guard parts.count == 4, let first = parts[3].split(separator: ".").first else { return nil }
    return String(first)
  }
}
