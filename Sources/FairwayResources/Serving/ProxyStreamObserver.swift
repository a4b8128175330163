import FairwayProto
import Foundation

/// Told when ADS streams come and go and when a proxy reports its health, so something outside
/// the server (auto-registration) can act on it. The server only calls these; they must return
/// quickly (queue the work) and never block a stream.
///
/// Every stream that reached `proxyConnected` later reaches `proxyDisconnected` exactly once,
/// with the same id. A proxy may hold several streams at once (a grpc client opens one per
/// target; an agent may report health on its own stream).
public protocol ProxyStreamObserver: Sendable {
  /// A stream's first request arrived and named its node.
  func proxyConnected(stream: UInt64, proxy: Proxy, node: Envoy_Config_Core_V3_Node, at: Date)
  /// The stream ended, for whatever reason.
  func proxyDisconnected(stream: UInt64, proxy: Proxy, at: Date)
  /// A `HealthInformation` request on the stream: healthy unless it carried `error_detail`.
  func proxyReportedHealth(stream: UInt64, proxy: Proxy, healthy: Bool, message: String?, at: Date)
}

/// Istio's health report over ADS: a DiscoveryRequest with this type URL, sent by the agent
/// beside a VM's proxy; `error_detail` set means unhealthy. It asks for no resources and gets
/// no response (istiod handles it before any generator).
public enum HealthInformation {
  public static let typeURL = "type.googleapis.com/istio.v1.HealthInformation"
}
