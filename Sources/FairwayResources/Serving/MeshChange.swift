import FairwayMesh

/// What changed in the mesh since a translation, as `MeshTranslationEngine` takes it.
public enum MeshChange: Sendable {
  /// The changed objects as the store holds them now (nil: deleted), all of them up to
  /// `revision`. Cheap to gather for a few changes; see `MeshTranslationEngine.canPatch`.
  case objects([ConfigKey: ConfigObject?], revision: Int64)
  /// The whole mesh at its revision. `changed` names the objects that differ from the
  /// previous translation's mesh when known, so an engine may patch instead of rebuilding.
  case snapshot(MeshSnapshot, changed: Set<ConfigKey>?)
}
