/// Rewrites the path or authority before forwarding.
public struct HTTPRewrite: Sendable, Equatable, Codable {
  /// Regex-based path rewrite (RE2 `match`, with `rewrite` as the substitution).
  public struct RegexRewrite: Sendable, Equatable, Codable {
    public var match: String?
    public var rewrite: String?

    public init() {}
  }

  public var uri: String?
  public var authority: String?
  public var uriRegexRewrite: RegexRewrite?

  public init() {}
}
