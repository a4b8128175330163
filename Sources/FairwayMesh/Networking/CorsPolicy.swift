/// Cross-origin resource sharing policy of an HTTP route.
public struct CorsPolicy: Sendable, Equatable, Codable {
  public var allowOrigins: [StringMatch]?
  /// Deprecated exact-match form of `allowOrigins`.
  public var allowOrigin: [String]?
  public var allowMethods: [String]?
  public var allowHeaders: [String]?
  public var exposeHeaders: [String]?
  public var maxAge: IstioDuration?
  public var allowCredentials: Bool?
  /// `UNSPECIFIED`, `FORWARD` or `IGNORE`.
  public var unmatchedPreflights: String?

  public init() {}
}
