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

  public var id: String
  public var kind: Kind
  public var client: Client
  public var ipAddresses: [String]
  public var podName: String
  public var namespace: String
  public var dnsDomain: String
  public var labels: [String: String]
  public var clusterID: String
  public var istioVersion: String

  public init(
    id: String, kind: Kind = .sidecar, client: Client = .envoy, ipAddresses: [String] = [],
    podName: String = "", namespace: String = "default",
    dnsDomain: String = "default.svc.cluster.local", labels: [String: String] = [:],
    clusterID: String = "Kubernetes", istioVersion: String = ""
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
  }

  /// Everything that decides what translation produces, without the id: proxies with equal
  /// views receive identical resources, so their translation is shared.
  public var view: ProxyView {
    ProxyView(
      kind: kind, client: client, ipAddresses: ipAddresses, namespace: namespace,
      labels: labels)
  }
}

/// The translation-relevant part of a proxy's identity (see `Proxy.view`).
public struct ProxyView: Sendable, Hashable {
  public var kind: Proxy.Kind
  public var client: Proxy.Client
  public var ipAddresses: [String]
  public var namespace: String
  public var labels: [String: String]
}
