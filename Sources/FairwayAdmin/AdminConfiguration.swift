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

  public static let defaultPort = 15014
  public static let defaultMaxBodyBytes = 8 * 1024 * 1024

  public init(
    bindAddress: String = "127.0.0.1", port: Int = AdminConfiguration.defaultPort,
    maxBodyBytes: Int = AdminConfiguration.defaultMaxBodyBytes, token: String? = nil
  ) {
    self.token = token
    self.bindAddress = bindAddress
    self.port = port
    self.maxBodyBytes = maxBodyBytes
  }
}

extension AdminConfiguration {
  /// Whether `address` only accepts connections from this machine.
  public static func isLoopback(_ address: String) -> Bool {
    address == "localhost" || address == "::1" || address.hasPrefix("127.")
  }
}
