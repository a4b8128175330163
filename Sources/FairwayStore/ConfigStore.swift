import FairwayMesh

/// A revisioned store of Istio configs. The in-memory store implements it today; a
/// durable or etcd-backed store can replace it without touching callers.
///
/// Revisions: the store keeps one global revision, starting at 0, that increases by one
/// for every object that changes (created, configured or deleted). An object's
/// `resourceVersion` is the revision of its last change, so a batch of three new objects
/// advances the revision by three.
public protocol ConfigStore: Sendable {
  /// The current global revision.
  var revision: Int64 { get async }

  /// Creates or replaces every object, atomically: either all are applied or, if any
  /// precondition fails, none is.
  ///
  /// An object whose spec, labels and annotations equal the stored ones is `unchanged`:
  /// no revision bump, no event. An object carrying `metadata.resourceVersion` must match
  /// the stored version, otherwise the whole batch fails with `ConfigStoreError.conflict`.
  /// Objects are expected to be validated already (see `ConfigParser`).
  @discardableResult
  func apply(_ objects: [ConfigObject]) async throws -> [ApplyResult]

  /// Deletes the object at `key` and returns it as it was.
  ///
  /// - Throws: `ConfigStoreError.notFound`.
  @discardableResult
  func delete(_ key: ConfigKey) async throws -> ConfigObject

  /// The object at `key`, if stored.
  func get(_ key: ConfigKey) async -> ConfigObject?

  /// Objects of `kind` (all kinds when `nil`) in `namespace` (all when `nil`), sorted by key.
  func list(kind: ConfigKind?, namespace: String?) async -> [ConfigObject]

  /// An immutable view of everything at the current revision.
  func snapshot() async -> MeshSnapshot

  /// A new subscription to changes made after this call. Subscribe before taking a
  /// snapshot to be sure no change falls between the two.
  func events() -> ConfigEventStream
}
