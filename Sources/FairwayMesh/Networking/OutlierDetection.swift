/// Ejection of unhealthy hosts from the load-balancing pool.
public struct OutlierDetection: Sendable, Equatable, Codable {
  public var splitExternalLocalOriginErrors: Bool?
  public var consecutiveLocalOriginFailures: Int?
  public var consecutiveGatewayErrors: Int?
  public var consecutive5xxErrors: Int?
  /// Deprecated; use `consecutive5xxErrors`.
  public var consecutiveErrors: Int?
  public var interval: IstioDuration?
  public var baseEjectionTime: IstioDuration?
  public var maxEjectionPercent: Int?
  public var minHealthPercent: Int?

  public init() {}
}
