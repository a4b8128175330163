/// How the agent next to a WorkloadGroup's workloads checks they are ready (Istio's
/// `ReadinessProbe`). Fairway does not probe: it stores the probe, and its presence makes the
/// generated WorkloadEntries health checked (they serve only after a healthy report over ADS).
public struct ReadinessProbe: Sendable, Equatable, Codable {
  /// An HTTP GET whose 2xx/3xx status means ready.
  public struct HTTPGet: Sendable, Equatable, Codable {
    public struct Header: Sendable, Equatable, Codable {
      public var name: String?
      public var value: String?

      public init(name: String? = nil, value: String? = nil) {
        self.name = name
        self.value = value
      }
    }

    public var path: String?
    public var port: Int?
    public var host: String?
    /// `HTTP` or `HTTPS` (either case).
    public var scheme: String?
    public var httpHeaders: [Header]?

    public init(
      path: String? = nil, port: Int? = nil, host: String? = nil, scheme: String? = nil,
      httpHeaders: [Header]? = nil
    ) {
      self.path = path
      self.port = port
      self.host = host
      self.scheme = scheme
      self.httpHeaders = httpHeaders
    }
  }

  /// A TCP connect to the port.
  public struct TCPSocket: Sendable, Equatable, Codable {
    public var host: String?
    public var port: Int?

    public init(host: String? = nil, port: Int? = nil) {
      self.host = host
      self.port = port
    }
  }

  /// A command whose exit status 0 means ready.
  public struct Exec: Sendable, Equatable, Codable {
    public var command: [String]?

    public init(command: [String]? = nil) { self.command = command }
  }

  public var initialDelaySeconds: Int?
  public var timeoutSeconds: Int?
  public var periodSeconds: Int?
  public var successThreshold: Int?
  public var failureThreshold: Int?
  public var httpGet: HTTPGet?
  public var tcpSocket: TCPSocket?
  public var exec: Exec?

  public init(
    initialDelaySeconds: Int? = nil, timeoutSeconds: Int? = nil, periodSeconds: Int? = nil,
    successThreshold: Int? = nil, failureThreshold: Int? = nil, httpGet: HTTPGet? = nil,
    tcpSocket: TCPSocket? = nil, exec: Exec? = nil
  ) {
    self.initialDelaySeconds = initialDelaySeconds
    self.timeoutSeconds = timeoutSeconds
    self.periodSeconds = periodSeconds
    self.successThreshold = successThreshold
    self.failureThreshold = failureThreshold
    self.httpGet = httpGet
    self.tcpSocket = tcpSocket
    self.exec = exec
  }
}
