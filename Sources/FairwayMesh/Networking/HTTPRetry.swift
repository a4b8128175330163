/// Retry policy of an HTTP route.
public struct HTTPRetry: Sendable, Equatable, Codable {
  public var attempts: Int?
  public var perTryTimeout: IstioDuration?
  /// Comma-separated Envoy retry conditions and/or status codes.
  public var retryOn: String?
  public var retryRemoteLocalities: Bool?

  public init() {}
}
