import Foundation

extension SyncStatus {
  /// The columns istioctl prints, with the type URLs behind them, and Envoy's Dubbo routes.
  public static let columns: [(name: String, typeURL: String)] = [
    ("CDS", "type.googleapis.com/envoy.config.cluster.v3.Cluster"),
    ("LDS", "type.googleapis.com/envoy.config.listener.v3.Listener"),
    ("EDS", "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"),
    ("RDS", "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"),
    (
      "DRDS",
      "type.googleapis.com/envoy.extensions.filters.network.dubbo_proxy.v3.MultipleRouteConfiguration"
    ),
  ]

  /// SYNCED, STALE, NOT SENT or ERROR; a type the stream never asked for was never sent.
  public func state(_ typeURL: String) -> String { xds[typeURL]?.state ?? "NOT SENT" }

  /// The most recent push to this stream, of any type.
  public var lastPush: Date? {
    xds.values.compactMap { APICoding.date($0.sentTime) }.max()
  }
}
