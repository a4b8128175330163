/// Settings of the admin HTTP server.
public struct AdminConfiguration: Sendable {
  /// Address to bind; loopback by default because the API is unauthenticated.
  public var bindAddress: String
  public var port: Int
  /// Largest request body accepted, in bytes; larger bodies get 413.
  public var maxBodyBytes: Int

  public static let defaultPort = 15014
  public static let defaultMaxBodyBytes = 8 * 1024 * 1024

  public init(
    bindAddress: String = "127.0.0.1", port: Int = AdminConfiguration.defaultPort,
    maxBodyBytes: Int = AdminConfiguration.defaultMaxBodyBytes
  ) {
    self.bindAddress = bindAddress
    self.port = port
    self.maxBodyBytes = maxBodyBytes
  }
}
