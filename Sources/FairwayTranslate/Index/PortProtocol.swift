/// The application protocol of a service port, as Istio infers it from `protocol` or, failing
/// that, from the port name prefix (`http-web`, `grpc`, `tcp-dubbo`).
enum PortProtocol: String, Sendable, Hashable {
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

  init(declared: String?, portName: String?) {
    if let declared, let known = PortProtocol(rawValue: declared.uppercased()) {
      self = known
      return
    }
    let name = (portName ?? "").lowercased()
    let prefix = name.split(separator: "-", maxSplits: 1).first.map(String.init) ?? name
    self = PortProtocol(rawValue: prefix.uppercased()) ?? .unknown
  }

  /// Ports served through an HttpConnectionManager (RDS); everything else is proxied as TCP.
  var isHTTP: Bool {
    switch self {
    case .http, .http2, .grpc, .grpcWeb: return true
    default: return false
    }
  }

  /// Ports whose upstream speaks HTTP/2 (gRPC needs it end to end).
  var isHTTP2: Bool { self == .http2 || self == .grpc }
}
