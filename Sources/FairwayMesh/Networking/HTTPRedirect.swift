/// Sends a 3xx redirect instead of forwarding the request.
public struct HTTPRedirect: Sendable, Equatable, Codable {
  public var uri: String?
  public var authority: String?
  public var port: Int?
  /// `FROM_PROTOCOL_DEFAULT` or `FROM_REQUEST_PORT`.
  public var derivePort: String?
  public var scheme: String?
  public var redirectCode: Int?

  public init() {}
}
