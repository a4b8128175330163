import FairwayMesh

/// A change to one config. `old == nil` is a creation, `new == nil` a deletion.
///
/// When a subscriber falls behind, consecutive changes to the same key are merged into
/// one event carrying the first `old`, the latest `new` and the latest `revision`
/// (see `ConfigEventStream`). A create followed by a delete therefore arrives as an
/// event with both `nil`, which still tells the subscriber the revision moved.
public struct ConfigEvent: Sendable, Equatable {
  public var key: ConfigKey
  public var old: ConfigObject?
  public var new: ConfigObject?
  /// The store revision after this change.
  public var revision: Int64

  public init(key: ConfigKey, old: ConfigObject?, new: ConfigObject?, revision: Int64) {
    self.key = key
    self.old = old
    self.new = new
    self.revision = revision
  }

  public var kind: ConfigKind { key.kind }
  public var namespace: String { key.namespace }
  public var name: String { key.name }
}
