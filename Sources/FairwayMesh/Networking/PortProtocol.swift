/// The application protocol of a service port, as Istio infers it from `protocol` or, failing
/// that, from the port name prefix (`http-web`, `grpc`, `tcp-dubbo`).
public enum PortProtocol: String, Sendable, Hashable {
  case http = "HTTP"
  case http2 = "HTTP2"
  case grpc = "GRPC"
  case grpcWeb = "GRPC-WEB"
  case https = "HTTPS"
  case tls = "TLS"
  case tcp = "TCP"
  case mongo = "MONGO"
  case redis = "REDIS"
  case mysql = "MYSQL"
  case dubbo = "DUBBO"
  case unknown = "UNKNOWN"

  public init(declared: String?, portName: String?) {
    let name = (portName ?? "").lowercased()
    let known = declared.flatMap { PortProtocol(rawValue: $0.uppercased()) }
    // Istio users mark Dubbo ports by name (`tcp-dubbo`, as Aeraki documents, often with
    // protocol TCP); the name is the only place the application protocol shows.
    if known == nil || known == .tcp, name.hasPrefix("tcp-dubbo") || name.hasPrefix("dubbo") {
      self = .dubbo
      return
    }
    if let known {
      self = known
      return
    }
    let prefix = name.split(separator: "-", maxSplits: 1).first.map(String.init) ?? name
    self = PortProtocol(rawValue: prefix.uppercased()) ?? .unknown
  }

  /// Ports served through an HttpConnectionManager (RDS); everything else is proxied as TCP.
  public var isHTTP: Bool {
    switch self {
    case .http, .http2, .grpc, .grpcWeb: return true
    default: return false
    }
  }

  /// Ports whose upstream speaks HTTP/2 (gRPC needs it end to end).
  public var isHTTP2: Bool { self == .http2 || self == .grpc }

  /// Ports carrying Dubbo RPC (Hessian2): routed by interface, method and attachments.
  public var isDubbo: Bool { self == .dubbo }
}

extension ServicePort {
  /// The port's application protocol, from `protocol` or else its name.
  public var applicationProtocol: PortProtocol {
    PortProtocol(declared: self.protocol, portName: name)
  }
}
