import Foundation

/// One stream of `/debug/syncz`, as far as `fairway proxy-status` reads it. Every field is
/// optional on the wire so an older or newer server still prints something.
struct SyncEntry: Decodable, Sendable {
  struct TypeStatus: Decodable, Sendable {
    var state: String?
    var sent: String?
    var acked: String?
    var sentVersion: String?
    var ackedVersion: String?
    var sentTime: String?
    var nacks: Int?
    var lastError: String?
    var lastErrorNonce: String?
    var lastErrorTime: String?
  }

  var proxy: String?
  var proxyType: String?
  var proxyClient: String?
  var istioVersion: String?
  var clusterID: String?
  var connectionID: String?
  var streamKind: String?
  var xds: [String: TypeStatus]?

  enum CodingKeys: String, CodingKey {
    case proxy
    case proxyType = "proxy_type"
    case proxyClient = "proxy_client"
    case istioVersion = "istio_version"
    case clusterID = "cluster_id"
    case connectionID = "connection_id"
    case streamKind = "stream_kind"
    case xds
  }

  /// The columns istioctl prints, with the type URLs behind them, and Envoy's Dubbo routes.
  static let columns: [(name: String, typeURL: String)] = [
    ("CDS", "type.googleapis.com/envoy.config.cluster.v3.Cluster"),
    ("LDS", "type.googleapis.com/envoy.config.listener.v3.Listener"),
    ("EDS", "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"),
    ("RDS", "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"),
    (
      "DRDS",
      "type.googleapis.com/envoy.extensions.filters.network.dubbo_proxy.v3.MultipleRouteConfiguration"
    ),
  ]

  func status(_ typeURL: String) -> TypeStatus? { xds?[typeURL] }

  /// SYNCED, STALE, NOT SENT or ERROR; a type the stream never asked for was never sent.
  func state(_ typeURL: String) -> String { status(typeURL)?.state ?? "NOT SENT" }

  /// The most recent push to this stream, of any type.
  var lastPush: Date? {
    (xds ?? [:]).values.compactMap { $0.sentTime.flatMap(Self.parseTime) }.max()
  }

  static func parseTime(_ text: String) -> Date? {
    guard !text.isEmpty else { return nil }
    return try? Date(text, strategy: .iso8601)
  }

  /// kubectl's short ages: 42s, 7m, 3h, 2d.
  static func age(since date: Date?, now: Date) -> String {
    guard let date else { return "never" }
    let seconds = max(0, Int(now.timeIntervalSince(date)))
    switch seconds {
    case ..<120: return "\(seconds)s"
    case ..<7200: return "\(seconds / 60)m"
    case ..<172_800: return "\(seconds / 3600)h"
    default: return "\(seconds / 86400)d"
    }
  }
}
