/// Istio's string matcher: exactly one of `exact`, `prefix` (or `regex`, RE2 syntax)
/// should be set. `{}` is allowed in header matches, where it means "present".
public struct StringMatch: Sendable, Equatable, Codable {
  public var exact: String?
  public var prefix: String?
  public var regex: String?

  public init(exact: String? = nil, prefix: String? = nil, regex: String? = nil) {
    self.exact = exact
    self.prefix = prefix
    self.regex = regex
  }

  /// The number of match types set; more than one is invalid.
  public var setCount: Int { [exact, prefix, regex].compactMap { $0 }.count }
}
