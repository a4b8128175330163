/// `networking.istio.io` VirtualService spec: routing rules for traffic to `hosts`.
public struct VirtualService: Sendable, Equatable, Codable {
  public var hosts: [String]?
  public var gateways: [String]?
  public var http: [HTTPRoute]?
  public var tls: [TLSRoute]?
  public var tcp: [TCPRoute]?
  public var exportTo: [String]?

  public init() {}
}
