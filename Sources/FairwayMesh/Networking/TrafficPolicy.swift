/// Load balancing, connection pool, outlier detection and TLS settings for a host or
/// subset, optionally per port.
public struct TrafficPolicy: Sendable, Equatable, Codable {
  /// Settings that apply to one port only, overriding the policy-wide ones.
  public struct PortTrafficPolicy: Sendable, Equatable, Codable {
    public var port: PortSelector?
    public var loadBalancer: LoadBalancerSettings?
    public var connectionPool: ConnectionPoolSettings?
    public var outlierDetection: OutlierDetection?
    public var tls: ClientTLSSettings?

    public init() {}
  }

  public var loadBalancer: LoadBalancerSettings?
  public var connectionPool: ConnectionPoolSettings?
  public var outlierDetection: OutlierDetection?
  public var tls: ClientTLSSettings?
  public var portLevelSettings: [PortTrafficPolicy]?

  public init() {}
}
