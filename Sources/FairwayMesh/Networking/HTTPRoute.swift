/// One HTTP rule of a VirtualService: match conditions and what to do with the request.
public struct HTTPRoute: Sendable, Equatable, Codable {
  public var name: String?
  public var match: [HTTPMatchRequest]?
  public var route: [HTTPRouteDestination]?
  public var redirect: HTTPRedirect?
  public var directResponse: HTTPDirectResponse?
  public var delegate: Delegate?
  public var rewrite: HTTPRewrite?
  public var timeout: IstioDuration?
  public var retries: HTTPRetry?
  public var fault: HTTPFaultInjection?
  public var mirror: Destination?
  public var mirrors: [HTTPMirrorPolicy]?
  public var mirrorPercentage: Percent?
  /// Deprecated integer form of `mirrorPercentage`.
  public var mirrorPercent: Int?
  public var corsPolicy: CorsPolicy?
  public var headers: Headers?

  public init() {}
}
