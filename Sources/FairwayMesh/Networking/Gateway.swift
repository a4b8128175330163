/// `networking.istio.io` Gateway spec: the servers (ports, hosts, TLS) that the gateway
/// proxies a label selector picks open at the edge of the mesh.
public struct Gateway: Sendable, Equatable, Codable {
  /// Labels of the gateway proxies (`router~` nodes) this Gateway configures.
  public var selector: [String: String]?
  public var servers: [GatewayServer]?

  public init() {}
}
