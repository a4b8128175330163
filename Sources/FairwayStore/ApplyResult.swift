import FairwayMesh

/// What `apply` did with one object.
public struct ApplyResult: Sendable, Equatable {
  /// kubectl's words for the three outcomes.
  public enum Action: String, Sendable, Codable {
    case created
    case configured
    case unchanged
  }

  public var key: ConfigKey
  public var action: Action
  /// The object as stored after the apply (server metadata filled in).
  public var object: ConfigObject

  public init(key: ConfigKey, action: Action, object: ConfigObject) {
    self.key = key
    self.action = action
    self.object = object
  }

  /// The stored object's resource version.
  public var resourceVersion: String { object.metadata.resourceVersion ?? "" }
}
