import FairwayMesh
import Foundation

/// The in-memory store as the local copy of a shared backend (etcd): the backend decides
/// revisions and resource versions, this store keeps the same rules (preconditions,
/// `unchanged`, cross-object Dubbo rules), serves reads and publishes the backend's changes
/// as ordinary `ConfigEvent`s, so the push path cannot tell them from local applies.
extension InMemoryConfigStore {
  /// Stages `objects` against `current` (the backend's version of each batch key, with its
  /// resource version) without changing anything: the outcome of each object, with this
  /// store's cross-object rules checked against its own copy plus the batch.
  ///
  /// The objects of `created`/`configured` results carry a placeholder resource version;
  /// the backend assigns the real one when it commits.
  ///
  /// - Throws: `ConfigStoreError.conflict` when an object's `resourceVersion` is not the
  ///   current one, `ConfigValidationError` when a cross-object rule fails.
  public func prepare(_ objects: [ConfigObject], current: [ConfigKey: ConfigObject]) throws
    -> [ApplyResult]
  {
    let now = clock().formatted(.iso8601)
    return try state.withLock { state in
      try Self.stage(objects, on: state, current: { current[$0] }, now: now).results
    }
  }

  /// Records changes the backend committed at `revision` (nil: deleted) and publishes one
  /// event per key whose stored object actually changed. Objects must carry their backend
  /// resource version. The revision never goes backwards.
  public func replicate(_ changes: [(ConfigKey, ConfigObject?)], revision: Int64) {
    writer.withLock { _ in
      state.withLock { state in
        var events: [ConfigEvent] = []
        for (key, object) in changes {
          let old = state.objects[key]
          guard old != object else { continue }
          state.commit(key, object)
          events.append(ConfigEvent(key: key, old: old, new: object, revision: revision))
        }
        state.revision = max(state.revision, revision)
        broadcaster.publish(events)
      }
    }
  }

  /// Replaces everything with a fresh list from the backend (after a missed stretch of
  /// changes, e.g. a compacted watch revision), publishing exactly the differences: keys
  /// that appeared, changed or disappeared.
  public func resync(to objects: [ConfigObject], revision: Int64) {
    let fresh = Dictionary(objects.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
    let gone = state.withLock { state in
      state.objects.values.map(\.key).filter { fresh[$0] == nil }
    }
    var changes: [(ConfigKey, ConfigObject?)] = fresh.map { ($0.key, $0.value) }
    changes += gone.map { ($0, nil) }
    replicate(changes, revision: revision)
  }
}
