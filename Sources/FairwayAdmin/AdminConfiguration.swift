import FairwayAPI
import FairwayMesh
import NIOSSL

/// Settings of the admin HTTP server.
public struct AdminConfiguration: Sendable {
  /// Serve HTTPS with this configuration (e.g. one made from a certificate reloader).
  public var tls: TLSConfiguration?
  /// Address to bind; loopback by default because without a token the API is open.
  public var bindAddress: String
  public var port: Int
  /// Largest request body accepted, in bytes; larger bodies get 413.
  public var maxBodyBytes: Int
  /// When set, mutating calls, `/debug` and `/metrics` need `Authorization: Bearer <token>`.
  public var token: String?
  /// A connection with no request in progress is closed after this long.
  public var idleTimeout: Duration
  /// A request's head (request line and headers) must arrive within this long of its first
  /// byte, and of the connection's accept for the first request (slowloris).
  public var headerTimeout: Duration
  /// A request's body must arrive within this long of its head.
  public var requestTimeout: Duration
  /// Bounds on what one body may expand to when parsed. `maxBytes` is raised to twice
  /// `maxBodyBytes` when that is larger, so any body under the size limit can be read.
  var parseLimits: ParseLimits

  public static let defaultPort = AdminClient.defaultPort
  public static let defaultMaxBodyBytes = 8 * 1024 * 1024
  public static let defaultIdleTimeout = Duration.seconds(60)
  public static let defaultHeaderTimeout = Duration.seconds(10)
  public static let defaultRequestTimeout = Duration.seconds(60)

  public init(
    bindAddress: String = "127.0.0.1", port: Int = AdminConfiguration.defaultPort,
    maxBodyBytes: Int = AdminConfiguration.defaultMaxBodyBytes, token: String? = nil,
    idleTimeout: Duration = AdminConfiguration.defaultIdleTimeout,
    headerTimeout: Duration = AdminConfiguration.defaultHeaderTimeout,
    requestTimeout: Duration = AdminConfiguration.defaultRequestTimeout,
    parseLimits: ParseLimits = ParseLimits()
  ) {
    self.token = token
    self.bindAddress = bindAddress
    self.port = port
    self.maxBodyBytes = maxBodyBytes
    self.idleTimeout = idleTimeout
    self.headerTimeout = headerTimeout
    self.requestTimeout = requestTimeout
    self.parseLimits = parseLimits
  }

  /// The parse limits in force: `parseLimits` with room for any body under `maxBodyBytes`.
  var effectiveParseLimits: ParseLimits {
    var limits = parseLimits
    let (doubled, overflow) = maxBodyBytes.multipliedReportingOverflow(by: 2)
    limits.maxBytes = max(limits.maxBytes, overflow ? .max : doubled)
    return limits
  }
}

extension AdminConfiguration {
  /// Whether `address` only accepts connections from this machine.
  public static func isLoopback(_ address: String) -> Bool {
    address == "localhost" || address == "::1" || address.hasPrefix("127.")
  }
}
