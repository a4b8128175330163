/// Conditions an HTTP request must meet for an `HTTPRoute` to apply; all set fields
/// must match.
public struct HTTPMatchRequest: Sendable, Equatable, Codable {
  public var name: String?
  public var uri: StringMatch?
  public var scheme: StringMatch?
  public var method: StringMatch?
  public var authority: StringMatch?
  public var headers: [String: StringMatch]?
  public var withoutHeaders: [String: StringMatch]?
  public var queryParams: [String: StringMatch]?
  public var port: Int?
  public var sourceLabels: [String: String]?
  public var gateways: [String]?
  public var ignoreUriCase: Bool?
  public var sourceNamespace: String?
  public var statPrefix: String?

  public init() {}
}
