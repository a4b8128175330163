/// A fixed response returned without forwarding.
public struct HTTPDirectResponse: Sendable, Equatable, Codable {
  /// Exactly one of `string` or `bytes` (base64).
  public struct Body: Sendable, Equatable, Codable {
    public var string: String?
    public var bytes: String?

    public init() {}
  }

  public var status: Int?
  public var body: Body?

  public init() {}
}
