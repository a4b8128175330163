import Foundation

/// The body of `POST /apply`: the store revision after the apply, what happened to each
/// object, the parser's warnings and, when asked for, the analyzers' messages about the
/// applied objects.
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
  /// With `?analyze=true`: the analyzers' messages that concern the applied objects, over the
  /// store after the apply (never a reason to reject it). Absent when not asked for; empty
  /// when nothing was found.
  public var analysis: [Analysis]?

  public init(
    revision: Int64, results: [Result], warnings: [String], analysis: [Analysis]? = nil
  ) {
    self.revision = revision
    self.results = results
    self.warnings = warnings
    self.analysis = analysis
  }
}
