/// Faults injected into matching requests: a delay, an abort, or both.
public struct HTTPFaultInjection: Sendable, Equatable, Codable {
  /// Delays a percentage of requests by `fixedDelay`.
  public struct Delay: Sendable, Equatable, Codable {
    public var fixedDelay: IstioDuration?
    public var exponentialDelay: IstioDuration?
    public var percentage: Percent?
    /// Deprecated integer form of `percentage`.
    public var percent: Int?

    public init() {}
  }

  /// Fails a percentage of requests with an HTTP or gRPC status.
  public struct Abort: Sendable, Equatable, Codable {
    public var httpStatus: Int?
    public var grpcStatus: String?
    public var http2Error: String?
    public var percentage: Percent?

    public init() {}
  }

  public var delay: Delay?
  public var abort: Abort?

  public init() {}
}
