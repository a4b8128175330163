/// Routing for TLS (SNI-based) passthrough traffic.
public struct TLSRoute: Sendable, Equatable, Codable {
  /// Conditions on the TLS connection; `sniHosts` is required.
  public struct Match: Sendable, Equatable, Codable {
    public var sniHosts: [String]?
    public var destinationSubnets: [String]?
    public var port: Int?
    public var sourceLabels: [String: String]?
    public var gateways: [String]?
    public var sourceNamespace: String?

    public init() {}
  }

  public var match: [Match]?
  public var route: [RouteDestination]?

  public init() {}
}
