/// Where etcd is and how to reach it: `etcd://HOST:PORT[,HOST:PORT...]`, plus TLS and auth.
public struct EtcdConfiguration: Sendable, Equatable {
  public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
      self.host = host
      self.port = port
    }

    public var description: String { "\(host):\(port)" }
  }

  /// TLS towards etcd: a CA bundle to trust, and a client certificate for mTLS.
  public struct TLS: Sendable, Equatable {
    public var caPath: String?
    public var certificatePath: String?
    public var keyPath: String?

    public init(caPath: String? = nil, certificatePath: String? = nil, keyPath: String? = nil) {
      self.caPath = caPath
      self.certificatePath = certificatePath
      self.keyPath = keyPath
    }
  }

  /// etcd's user/password auth: the client trades them for a token (`Auth.Authenticate`).
  public struct Credentials: Sendable, Equatable {
    public var user: String
    public var password: String

    public init(user: String, password: String) {
      self.user = user
      self.password = password
    }
  }

  public enum ParseError: Error, Equatable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
      switch self {
      case .invalid(let message): return message
      }
    }
  }

  public var endpoints: [Endpoint]
  /// Every config lives under this key prefix; replicas sharing it share the configs.
  public var prefix: String
  public var tls: TLS?
  public var credentials: Credentials?
  /// Deadline of one unary call (a read or a transaction).
  public var requestTimeout: Duration
  /// How long the start waits for etcd before giving up.
  public var startTimeout: Duration
  /// Longest wait between two reconnect attempts of the watch.
  public var maxBackoff: Duration

  public static let defaultPrefix = "/fairway/configs/"

  public init(
    endpoints: [Endpoint], prefix: String = Self.defaultPrefix, tls: TLS? = nil,
    credentials: Credentials? = nil, requestTimeout: Duration = .seconds(5),
    startTimeout: Duration = .seconds(30), maxBackoff: Duration = .seconds(1)
  ) {
    self.endpoints = endpoints
    self.prefix = prefix.hasSuffix("/") ? prefix : prefix + "/"
    self.tls = tls
    self.credentials = credentials
    self.requestTimeout = requestTimeout
    self.startTimeout = startTimeout
    self.maxBackoff = maxBackoff
  }

  /// Parses `etcd://HOST:PORT[,HOST:PORT...]` (IPv4 addresses or one host name).
  public static func parse(url: String) throws -> [Endpoint] {
    let scheme = "etcd://"
    guard url.hasPrefix(scheme) else {
      throw ParseError.invalid("--store \(url): want etcd://HOST:PORT[,HOST:PORT...]")
    }
    let list = url.dropFirst(scheme.count)
    let endpoints = try list.split(separator: ",", omittingEmptySubsequences: false).map {
      part -> Endpoint in
      guard let colon = part.lastIndex(of: ":"), colon != part.startIndex,
        let port = Int(part[part.index(after: colon)...]), (1...65535).contains(port)
      else {
        throw ParseError.invalid("--store \(url): \"\(part)\" is not HOST:PORT")
      }
      return Endpoint(host: String(part[..<colon]), port: port)
    }
    guard !endpoints.isEmpty else {
      throw ParseError.invalid("--store \(url): no endpoint")
    }
    if endpoints.count > 1, !endpoints.allSatisfy({ isIPv4($0.host) }) {
      throw ParseError.invalid("--store \(url): several endpoints must be IPv4 addresses")
    }
    return endpoints
  }

  static func isIPv4(_ host: String) -> Bool {
    let parts = host.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
  }

  var endpointList: String { endpoints.map(\.description).joined(separator: ",") }
}
