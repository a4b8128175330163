/// Connection limits, mapped to Envoy circuit breakers.
public struct ConnectionPoolSettings: Sendable, Equatable, Codable {
  /// TCP-level limits.
  public struct TCPSettings: Sendable, Equatable, Codable {
    /// TCP keepalive probing.
    public struct Keepalive: Sendable, Equatable, Codable {
      public var probes: Int?
      public var time: IstioDuration?
      public var interval: IstioDuration?

      public init() {}
    }

    public var maxConnections: Int?
    public var connectTimeout: IstioDuration?
    public var tcpKeepalive: Keepalive?
    public var maxConnectionDuration: IstioDuration?
    public var idleTimeout: IstioDuration?

    public init() {}
  }

  /// HTTP-level limits.
  public struct HTTPSettings: Sendable, Equatable, Codable {
    public var http1MaxPendingRequests: Int?
    public var http2MaxRequests: Int?
    public var maxRequestsPerConnection: Int?
    public var maxRetries: Int?
    public var idleTimeout: IstioDuration?
    /// `DEFAULT`, `DO_NOT_UPGRADE` or `UPGRADE`.
    public var h2UpgradePolicy: String?
    public var useClientProtocol: Bool?
    public var maxConcurrentStreams: Int?

    public init() {}
  }

  public var tcp: TCPSettings?
  public var http: HTTPSettings?

  public init() {}
}
