import Foundation

/// The body of `POST /apply`: the store revision after the apply, what happened to each
/// object, and the parser's warnings.
public struct ApplyResponse: Sendable, Equatable, Codable {
  /// What apply did with one object.
  public struct Result: Sendable, Equatable, Codable {
    public var kind: String
    public var namespace: String
    public var name: String
    /// created, configured or unchanged (kubectl's words).
    public var action: String
    public var resourceVersion: String
    public var generation: Int64

    public init(
      kind: String, namespace: String, name: String, action: String, resourceVersion: String,
      generation: Int64
    ) {
      self.kind = kind
      self.namespace = namespace
      self.name = name
      self.action = action
      self.resourceVersion = resourceVersion
      self.generation = generation
    }
  }

  public var revision: Int64
  public var results: [Result]
  public var warnings: [String]

  public init(revision: Int64, results: [Result], warnings: [String]) {
    self.revision = revision
    self.results = results
    self.warnings = warnings
  }
}
