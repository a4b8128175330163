import Foundation

/// One dump of `/debug/config_dump`: Envoy's admin `ConfigDump` (`configs`, proto JSON as
/// SwiftProtobuf writes it, kept as raw values) with who it is for: the stream of a connected
/// proxy (`connectionId`, `streamKind`), or the hypothetical proxy described by the query.
public struct ProxyConfigDump: Sendable, Equatable, Codable {
  /// The proxy a hypothetical dump was made for, as the query described it.
  public struct Identity: Sendable, Equatable, Codable {
    public var id: String
    public var client: String
    public var namespace: String
    public var ipAddresses: [String]
    public var labels: [String: String]

    public init(
      id: String, client: String, namespace: String, ipAddresses: [String],
      labels: [String: String]
    ) {
      self.id = id
      self.client = client
      self.namespace = namespace
      self.ipAddresses = ipAddresses
      self.labels = labels
    }
  }

  /// Envoy's `ConfigDump.configs`: one `Any` per section (clusters, endpoints, listeners,
  /// routes) and one per Dubbo route configuration.
  public var configs: [AnyJSON]
  /// Set for a connected proxy's stream.
  public var connectionID: String?
  public var streamKind: String?
  /// Set for a hypothetical proxy.
  public var proxy: Identity?

  enum CodingKeys: String, CodingKey {
    case configs
    case connectionID = "connectionId"
    case streamKind, proxy
  }

  public init(
    configs: [AnyJSON], connectionID: String? = nil, streamKind: String? = nil,
    proxy: Identity? = nil
  ) {
    self.configs = configs
    self.connectionID = connectionID
    self.streamKind = streamKind
    self.proxy = proxy
  }
}
