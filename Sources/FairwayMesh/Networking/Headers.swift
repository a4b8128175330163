/// Header manipulation for requests and responses.
public struct Headers: Sendable, Equatable, Codable {
  /// `set` overwrites, `add` appends, `remove` deletes headers by name.
  public struct HeaderOperations: Sendable, Equatable, Codable {
    public var set: [String: String]?
    public var add: [String: String]?
    public var remove: [String]?

    public init() {}
  }

  public var request: HeaderOperations?
  public var response: HeaderOperations?

  public init() {}
}
