import FairwayProto
import SwiftProtobuf

/// A connected (or hypothetical) proxy as translation sees it, parsed from an xDS `Node`.
///
/// Istio node ids look like `sidecar~10.0.0.1~reviews-v1-abc.default~default.svc.cluster.local`;
/// anything else is accepted as an opaque id with defaults, never rejected.
public struct Proxy: Sendable, Hashable {
  /// What kind of data plane is on the other end; it decides the shape of what we send.
  public enum Client: String, Sendable, Hashable, Codable {
    case envoy
    case mosn
    /// A proxyless gRPC client (grpc's built-in xDS support).
    case grpc
  }

  /// Istio's node type: the first field of the node id.
  public enum Kind: String, Sendable, Hashable, Codable {
    case sidecar
    case router
  }

  /// How connections reach the proxy, which decides how its listeners bind.
  public enum InterceptionMode: String, Sendable, Hashable, Codable {
    /// iptables redirects everything to 15001/15006; listeners do not bind their own ports.
    case redirect = "REDIRECT"
    case tproxy = "TPROXY"
    /// No capture: applications dial the proxy's listeners, which bind their ports.
    case none = "NONE"

    /// Envoy sidecars run behind iptables as in Istio; MOSN is usually dialled directly (the
    /// Dubbo demo's consumer talks to its sidecar's port).
    public static func `default`(for client: Client) -> InterceptionMode {
      client == .mosn ? .none : .redirect
    }

    /// Whether outbound listeners must bind their own ports.
    public var bindsPorts: Bool { self == .none }
  }

  public var id: String
  public var kind: Kind
  public var client: Client
  public var ipAddresses: [String]
  package var podName: String
  public var namespace: String
  public var dnsDomain: String
  public var labels: [String: String]
  public var clusterID: String
  public var istioVersion: String
  /// How traffic reaches the proxy (Istio's `INTERCEPTION_MODE` metadata).
  public var interceptionMode: InterceptionMode
  /// `region/zone/subzone` (the node's `locality`), for locality load balancing; empty when
  /// unknown.
  public var locality: String
  /// How its route configurations' virtual hosts reach it (see `RouteDelivery`). `.inline`
  /// until the stream is known to be Delta (`overStream(delta:)`).
  public var routeDelivery: RouteDelivery = .inline
  /// What the node's `FAIRWAY_VHDS` metadata asked for, if anything (nil: the Delta default).
  public var requestedRouteDelivery: RouteDelivery?

  public init(
    id: String, kind: Kind = .sidecar, client: Client = .envoy, ipAddresses: [String] = [],
    podName: String = "", namespace: String = "default",
    dnsDomain: String = "default.svc.cluster.local", labels: [String: String] = [:],
    clusterID: String = "Kubernetes", istioVersion: String = "",
    interceptionMode: InterceptionMode? = nil, locality: String = ""
  ) {
    self.id = id
    self.kind = kind
    self.client = client
    self.ipAddresses = ipAddresses
    self.podName = podName
    self.namespace = namespace
    self.dnsDomain = dnsDomain
    self.labels = labels
    self.clusterID = clusterID
    self.istioVersion = istioVersion
    self.interceptionMode = interceptionMode ?? InterceptionMode.default(for: client)
    self.locality = locality
  }

  /// Everything that decides what translation produces, without the id: proxies with equal
  /// views receive identical resources, so their translation is shared.
  public var view: ProxyView {
    ProxyView(
      kind: kind, client: client, ipAddresses: ipAddresses, namespace: namespace,
      labels: labels, interceptionMode: interceptionMode, locality: locality,
      routeDelivery: routeDelivery)
  }

  /// This proxy as served over a stream of that kind: an intercepted Envoy sidecar on Delta
  /// ADS takes its virtual hosts by VHDS (as its metadata asks, on demand by default); any
  /// other proxy, or any SotW stream, full RDS. VHDS needs interception: a host the mesh does
  /// not know is answered with a passthrough virtual host (ALLOW_ANY).
  public func overStream(delta: Bool) -> Proxy {
    var proxy = self
    let eligible = delta && client == .envoy && kind == .sidecar && interceptionMode != .none
    proxy.routeDelivery =
      eligible ? (requestedRouteDelivery ?? RouteDelivery.deltaDefault) : .inline
    return proxy
  }
}

/// The translation-relevant part of a proxy's identity (see `Proxy.view`).
public struct ProxyView: Sendable, Hashable {
  public var kind: Proxy.Kind
  public var client: Proxy.Client
  public var ipAddresses: [String]
  public var namespace: String
  public var labels: [String: String]
  public var interceptionMode: Proxy.InterceptionMode
  /// Only locality-aware endpoint assignments read it.
  public var locality: String
  public var routeDelivery: RouteDelivery = .inline
}
