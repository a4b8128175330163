/// Routing for opaque TCP traffic.
public struct TCPRoute: Sendable, Equatable, Codable {
  /// Conditions on the connection.
  public struct Match: Sendable, Equatable, Codable {
    public var destinationSubnets: [String]?
    public var port: Int?
    public var sourceSubnet: String?
    public var sourceLabels: [String: String]?
    public var gateways: [String]?
    public var sourceNamespace: String?

    public init() {}
  }

  public var match: [Match]?
  public var route: [RouteDestination]?

  public init() {}
}
