/// A port a ServiceEntry exposes.
public struct ServicePort: Sendable, Equatable, Codable {
  public var number: Int?
  /// `HTTP`, `HTTPS`, `GRPC`, `HTTP2`, `MONGO`, `TCP`, `TLS`, ...
  public var `protocol`: String?
  public var name: String?
  public var targetPort: Int?

  public init(
    number: Int? = nil, protocol: String? = nil, name: String? = nil, targetPort: Int? = nil
  ) {
    self.number = number
    self.protocol = `protocol`
    self.name = name
    self.targetPort = targetPort
  }
}
