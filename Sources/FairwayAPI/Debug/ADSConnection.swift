import Foundation

/// One ADS stream in `/debug/adsz`: who is connected, from where, and what it watches
/// (camelCase keys, as istiod's `adsz`).
public struct ADSConnection: Sendable, Equatable, Codable {
  public var connectionID: String
  public var proxy: String
  /// gRPC's peer text, e.g. `ipv4:127.0.0.1:43716`.
  public var peerAddress: String
  /// `APICoding.timestamp` of the stream's start.
  public var connectedAt: String
  /// SotW or Delta.
  public var streamKind: String
  /// envoy, mosn or grpc; "" before the first request named a node.
  public var client: String
  public var namespace: String
  public var ipAddresses: [String]
  public var labels: [String: String]
  /// The node's metadata `Struct` as proto JSON.
  public var metadata: AnyJSON
  /// Per type URL, the subscribed names, sorted; `["*"]` for a wildcard subscription.
  public var watched: [String: [String]]

  enum CodingKeys: String, CodingKey {
    case connectionID = "connectionId"
    case proxy, peerAddress, connectedAt, streamKind, client, namespace, ipAddresses, labels
    case metadata, watched
  }

  public init(
    connectionID: String, proxy: String, peerAddress: String, connectedAt: String,
    streamKind: String, client: String, namespace: String, ipAddresses: [String],
    labels: [String: String], metadata: AnyJSON = .object([:]), watched: [String: [String]]
  ) {
    self.connectionID = connectionID
    self.proxy = proxy
    self.peerAddress = peerAddress
    self.connectedAt = connectedAt
    self.streamKind = streamKind
    self.client = client
    self.namespace = namespace
    self.ipAddresses = ipAddresses
    self.labels = labels
    self.metadata = metadata
    self.watched = watched
  }
}
