/// The xDS resource types Fairway serves, in the order ADS pushes them (make before break).
public enum XDSResourceType: Int, CaseIterable, Sendable, Hashable, Comparable,
  CustomStringConvertible
{
  case cluster = 0
  case endpoint = 1
  case listener = 2
  case route = 3
  /// Envoy's Dubbo proxy routes (`drds`), pushed after listeners like RDS.
  case dubboRoute = 4
  /// Virtual hosts by VHDS (Delta only), named `ROUTE_CONFIG_NAME/HOST`: what a Delta Envoy
  /// sidecar's route configurations leave out, pushed after them.
  case virtualHost = 5

  /// The type URL of the resource message, as carried in DiscoveryRequest/Response.
  public var typeURL: String {
    switch self {
    case .cluster: return "type.googleapis.com/envoy.config.cluster.v3.Cluster"
    case .endpoint: return "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"
    case .listener: return "type.googleapis.com/envoy.config.listener.v3.Listener"
    case .route: return "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"
    case .dubboRoute:
      return
        "type.googleapis.com/envoy.extensions.filters.network.dubbo_proxy.v3.MultipleRouteConfiguration"
    case .virtualHost: return "type.googleapis.com/envoy.config.route.v3.VirtualHost"
    }
  }

  /// Istio's short name for the type, used in debug output and metrics labels.
  public var shortName: String {
    switch self {
    case .cluster: return "cds"
    case .endpoint: return "eds"
    case .listener: return "lds"
    case .route: return "rds"
    case .dubboRoute: return "drds"
    case .virtualHost: return "vhds"
    }
  }

  /// Listener and Cluster are the only types a client may subscribe to as a wildcard, and
  /// VirtualHost: Envoy's VHDS starts with a request that names nothing (it keeps the route
  /// configuration's name, its namespace, to itself) and means every host of its route
  /// configurations.
  public var allowsWildcard: Bool { self == .cluster || self == .listener || self == .virtualHost }

  /// Looks a type up by its type URL; nil for types Fairway does not serve.
  public init?(typeURL: String) {
    guard let found = Self.allCases.first(where: { $0.typeURL == typeURL }) else { return nil }
    self = found
  }

  public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

  public var description: String { shortName }
}
