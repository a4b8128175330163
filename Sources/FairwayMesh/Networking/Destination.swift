/// Where traffic goes: a service host, optionally a DestinationRule subset and a port.
public struct Destination: Sendable, Equatable, Codable {
  public var host: String?
  public var subset: String?
  public var port: PortSelector?

  public init(host: String? = nil, subset: String? = nil, port: PortSelector? = nil) {
    self.host = host
    self.subset = subset
    self.port = port
  }
}
