import Foundation

/// One ADS stream in `/debug/syncz`, in istiod's `SyncStatus` shape (snake_case keys, nonces
/// per legacy type) plus `xds`, the per-type detail keyed by type URL.
///
/// Decoding tolerates missing keys (an older or newer server still prints something): a key
/// that is absent reads as "" or empty.
public struct SyncStatus: Sendable, Equatable, Codable {
  public var proxy: String
  /// sidecar, router or grpc.
  public var proxyType: String
  /// envoy, mosn or grpc.
  public var proxyClient: String
  public var istioVersion: String
  public var clusterID: String
  public var connectionID: String
  /// SotW or Delta.
  public var streamKind: String
  public var clusterSent: String
  public var clusterAcked: String
  public var listenerSent: String
  public var listenerAcked: String
  public var routeSent: String
  public var routeAcked: String
  public var endpointSent: String
  public var endpointAcked: String
  /// Per type URL: what was sent, what was acknowledged, the last NACK.
  public var xds: [String: TypeStatus]

  enum CodingKeys: String, CodingKey {
    case proxy
    case proxyType = "proxy_type"
    case proxyClient = "proxy_client"
    case istioVersion = "istio_version"
    case clusterID = "cluster_id"
    case connectionID = "connection_id"
    case streamKind = "stream_kind"
    case clusterSent = "cluster_sent"
    case clusterAcked = "cluster_acked"
    case listenerSent = "listener_sent"
    case listenerAcked = "listener_acked"
    case routeSent = "route_sent"
    case routeAcked = "route_acked"
    case endpointSent = "endpoint_sent"
    case endpointAcked = "endpoint_acked"
    case xds
  }

  public init(
    proxy: String = "", proxyType: String = "", proxyClient: String = "",
    istioVersion: String = "", clusterID: String = "", connectionID: String = "",
    streamKind: String = "", clusterSent: String = "", clusterAcked: String = "",
    listenerSent: String = "", listenerAcked: String = "", routeSent: String = "",
    routeAcked: String = "", endpointSent: String = "", endpointAcked: String = "",
    xds: [String: TypeStatus] = [:]
  ) {
    self.proxy = proxy
    self.proxyType = proxyType
    self.proxyClient = proxyClient
    self.istioVersion = istioVersion
    self.clusterID = clusterID
    self.connectionID = connectionID
    self.streamKind = streamKind
    self.clusterSent = clusterSent
    self.clusterAcked = clusterAcked
    self.listenerSent = listenerSent
    self.listenerAcked = listenerAcked
    self.routeSent = routeSent
    self.routeAcked = routeAcked
    self.endpointSent = endpointSent
    self.endpointAcked = endpointAcked
    self.xds = xds
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    func text(_ key: CodingKeys) throws -> String {
      try container.decodeIfPresent(String.self, forKey: key) ?? ""
    }
    self.init(
      proxy: try text(.proxy), proxyType: try text(.proxyType),
      proxyClient: try text(.proxyClient), istioVersion: try text(.istioVersion),
      clusterID: try text(.clusterID), connectionID: try text(.connectionID),
      streamKind: try text(.streamKind), clusterSent: try text(.clusterSent),
      clusterAcked: try text(.clusterAcked), listenerSent: try text(.listenerSent),
      listenerAcked: try text(.listenerAcked), routeSent: try text(.routeSent),
      routeAcked: try text(.routeAcked), endpointSent: try text(.endpointSent),
      endpointAcked: try text(.endpointAcked),
      xds: try container.decodeIfPresent([String: TypeStatus].self, forKey: .xds) ?? [:])
  }
}
