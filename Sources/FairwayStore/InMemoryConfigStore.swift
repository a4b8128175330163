import FairwayMesh
import Foundation
import Synchronization

/// The in-memory `ConfigStore`: a dictionary behind a `Mutex`, with a cached snapshot.
///
/// All operations are synchronous under the lock and short (no decoding happens here),
/// so the async protocol methods never suspend. Events are published while the lock is
/// held so every subscriber sees changes in revision order.
public final class InMemoryConfigStore: ConfigStore {
  private struct State {
    var objects: [ConfigKey: ConfigObject] = [:]
    var revision: Int64 = 0
    var snapshot: MeshSnapshot = .empty
  }

  private let state = Mutex(State())
  private let broadcaster = ConfigEventBroadcaster()
  private let clock: @Sendable () -> Date
  private let journal: (any ConfigJournal)?

  /// - Parameter clock: source of `creationTimestamp`; injectable for tests.
  public init(clock: @escaping @Sendable () -> Date = { Date() }) {
    self.clock = clock
    self.journal = nil
  }

  /// A store that starts from recovered `objects` at `revision` and records every change in
  /// `journal` before making it: a change the journal cannot record is not made.
  public init(
    restoring objects: [ConfigObject], revision: Int64, journal: any ConfigJournal,
    clock: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.clock = clock
    self.journal = journal
    state.withLock { state in
      for object in objects { state.objects[object.key] = object }
      state.revision = revision
    }
  }

  public var revision: Int64 { state.withLock { $0.revision } }

  /// Number of stored objects.
  public var count: Int { state.withLock { $0.objects.count } }

  @discardableResult
  public func apply(_ objects: [ConfigObject]) throws -> [ApplyResult] {
    let now = clock().formatted(.iso8601)
    return try state.withLock { state in
      // Check every precondition before touching anything: the batch is all or nothing.
      for object in objects {
        guard let expected = object.metadata.resourceVersion else { continue }
        let actual = state.objects[object.key]?.metadata.resourceVersion
        if actual != expected {
          throw ConfigStoreError.conflict(key: object.key, expected: expected, actual: actual)
        }
      }
      // Stage everything first: the journal records the batch before anything is visible.
      var staged: [ConfigKey: ConfigObject] = [:]
      var revision = state.revision
      var results: [ApplyResult] = []
      var events: [ConfigEvent] = []
      var changed: [ConfigObject] = []
      results.reserveCapacity(objects.count)
      for object in objects {
        let existing = staged[object.key] ?? state.objects[object.key]
        if let existing, existing.hasSameContent(as: object) {
          results.append(ApplyResult(key: object.key, action: .unchanged, object: existing))
          continue
        }
        revision += 1
        var stored = object
        stored.metadata.resourceVersion = String(revision)
        if let existing {
          stored.metadata.creationTimestamp = existing.metadata.creationTimestamp
          stored.metadata.generation =
            existing.rawSpec == object.rawSpec
            ? existing.metadata.generation : existing.metadata.generation + 1
        } else {
          stored.metadata.creationTimestamp = now
          stored.metadata.generation = 1
        }
        staged[object.key] = stored
        changed.append(stored)
        results.append(
          ApplyResult(
            key: object.key, action: existing == nil ? .created : .configured, object: stored))
        events.append(ConfigEvent(key: object.key, old: existing, new: stored, revision: revision))
      }
      let issues = Self.crossObjectIssues(
        changed: changed, staged: staged, stored: state.objects)
      if !issues.isEmpty { throw ConfigValidationError(issues: issues) }
      if !changed.isEmpty {
        try journal?.record(.apply(revision: revision, objects: changed))
      }
      for (key, object) in staged { state.objects[key] = object }
      state.revision = revision
      compactIfWanted(&state)
      broadcaster.publish(events)
      return results
    }
  }

  /// Folds the journal into a snapshot when it asks; a failure leaves the journal as it was,
  /// which is still complete.
  private func compactIfWanted(_ state: inout State) {
    guard let journal, journal.wantsCompaction else { return }
    try? journal.compact(objects: Array(state.objects.values), revision: state.revision)
  }

  @discardableResult
  public func delete(_ key: ConfigKey) throws -> ConfigObject {
    try state.withLock { state in
      guard let existing = state.objects[key] else {
        throw ConfigStoreError.notFound(key)
      }
      try journal?.record(.delete(revision: state.revision + 1, key: key))
      state.objects.removeValue(forKey: key)
      state.revision += 1
      compactIfWanted(&state)
      broadcaster.publish([ConfigEvent(key: key, old: existing, new: nil, revision: state.revision)]
      )
      return existing
    }
  }

  public func get(_ key: ConfigKey) -> ConfigObject? {
    state.withLock { $0.objects[key] }
  }

  public func list(kind: ConfigKind? = nil, namespace: String? = nil) -> [ConfigObject] {
    let objects = state.withLock { $0.objects }
    return objects.values
      .filter {
        (kind == nil || $0.key.kind == kind) && (namespace == nil || $0.key.namespace == namespace)
      }
      .sorted { $0.key < $1.key }
  }

  /// Cached per revision. Built outside the lock from a copy-on-write copy of the
  /// dictionary so a large sort never holds up writers.
  public func snapshot() -> MeshSnapshot {
    let (cached, objects, revision) = state.withLock {
      state -> (MeshSnapshot?, [ConfigKey: ConfigObject], Int64) in
      if state.snapshot.revision == state.revision { return (state.snapshot, [:], state.revision) }
      return (nil, state.objects, state.revision)
    }
    if let cached { return cached }
    let snapshot = MeshSnapshot(revision: revision, objects: objects.values)
    state.withLock { state in
      if state.snapshot.revision < snapshot.revision { state.snapshot = snapshot }
    }
    return snapshot
  }

  public func events() -> ConfigEventStream {
    broadcaster.subscribe()
  }

  /// Ends every event subscription, e.g. at shutdown.
  public func finishEvents() {
    broadcaster.finishAll()
  }
}
