/// One server of a Gateway: a port with its protocol, the hosts it exposes and its TLS.
public struct GatewayServer: Sendable, Equatable, Codable {
  /// The port a server listens on.
  public struct Port: Sendable, Equatable, Codable {
    public var number: Int?
    /// `HTTP`, `HTTPS`, `GRPC`, `HTTP2`, `MONGO`, `TCP` or `TLS`.
    public var `protocol`: String?
    public var name: String?
    public var targetPort: Int?

    public init() {}
  }

  public var port: Port?
  /// `namespace/dnsName` (namespace `*`, `.` or a name) or a bare `dnsName` (any namespace).
  public var hosts: [String]?
  public var tls: ServerTLSSettings?
  /// An IP the listener binds instead of 0.0.0.0.
  public var bind: String?
  public var defaultEndpoint: String?
  public var name: String?

  public init() {}
}
