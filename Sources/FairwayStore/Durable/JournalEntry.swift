import FairwayMesh

/// One committed change, as the journal records it.
public enum JournalEntry: Sendable, Equatable {
  /// Objects stored by one apply, with the revision after it (each object carries its own
  /// resourceVersion).
  case apply(revision: Int64, objects: [ConfigObject])
  case delete(revision: Int64, key: ConfigKey)

  public var revision: Int64 {
    switch self {
    case .apply(let revision, _), .delete(let revision, _): return revision
    }
  }
}
