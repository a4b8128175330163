import FairwayMesh
import Foundation
import NIOPosix
import Synchronization

/// The in-memory `ConfigStore`: a dictionary behind a `Mutex`, with a cached snapshot, and
/// optionally a `ConfigJournal` that makes every change durable first.
///
/// Writers are serialized by `writer`, held from staging a change to committing it; the state
/// lock is only taken for short reads and the commit, never across disk I/O. With a journal,
/// `apply` and `delete` run on the store's own disk thread (an `NIOThreadPool` of one), so
/// appends, fsyncs and compactions never block Swift's cooperative pool. A change is visible
/// (in reads, snapshots and events) only after the journal recorded it: memory never runs
/// ahead of the disk. Events are published in revision order.
///
/// Revisions: a change the journal cannot record consumes no revision. Nothing observed the
/// number it would have had (no client, watcher or record on disk: the journal cuts a failed
/// append away), so the next change that succeeds takes it, and a restart restores exactly the
/// revision the last acknowledged change reported.
public final class InMemoryConfigStore: ConfigStore {
  struct State {
    var objects = ShardedObjects()
    var revision: Int64 = 0
    var snapshot: MeshSnapshot = .empty
    var index = CrossObjectIndex()

    mutating func commit(_ key: ConfigKey, _ object: ConfigObject?) {
      index.replace(objects[key], with: object)
      objects[key] = object
    }
  }

  /// A validated batch, ready for the journal and then the commit.
  struct Staged {
    var results: [ApplyResult] = []
    var events: [ConfigEvent] = []
    var changed: [ConfigObject] = []
    var objects: [ConfigKey: ConfigObject] = [:]
    var revision: Int64 = 0
  }

  let state = Mutex(State())
  /// Held by the one writer from staging to commit, so a batch commits onto the state it was
  /// validated against. Readers never wait for it.
  let writer = Mutex(())
  let broadcaster = ConfigEventBroadcaster()
  let clock: @Sendable () -> Date
  private let journal: (any ConfigJournal)?
  /// Where journaled writes run; nil without a journal (no I/O to move off the pool).
  private let diskThread: NIOThreadPool?

  /// - Parameter clock: source of `creationTimestamp`; injectable for tests.
  public init(clock: @escaping @Sendable () -> Date = { Date() }) {
    self.clock = clock
    self.journal = nil
    self.diskThread = nil
  }

  /// A store that starts from recovered `objects` at `revision` and records every change in
  /// `journal` before making it: a change the journal cannot record is not made, and fails
  /// with `ConfigStoreError.notStored`.
  public init(
    restoring objects: [ConfigObject], revision: Int64, journal: any ConfigJournal,
    clock: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.clock = clock
    self.journal = journal
    let thread = NIOThreadPool(numberOfThreads: 1)
    thread.start()
    self.diskThread = thread
    state.withLock { state in
      for object in objects { state.commit(object.key, object) }
      state.revision = revision
    }
  }

  deinit {
    diskThread?.shutdownGracefully { _ in }
  }

  public var revision: Int64 { state.withLock { $0.revision } }

  /// Number of stored objects.
  public var count: Int { state.withLock { $0.objects.count } }

  /// Stores `objects` as one revision (journaled first when durable); one result per object.
  @discardableResult
  public func apply(_ objects: [ConfigObject]) async throws -> [ApplyResult] {
    guard let diskThread else { return try applyNow(objects) }
    return try await diskThread.runIfActive { try self.applyNow(objects) }
  }

  /// `apply` for synchronous callers (tools, tests): with a journal it blocks on disk I/O.
  @available(*, noasync, message: "use the async apply: it does disk I/O off the cooperative pool")
  @discardableResult
  public func apply(_ objects: [ConfigObject]) throws -> [ApplyResult] {
    try applyNow(objects)
  }

  /// Removes the object at `key` and returns it; throws `notFound` when there is none.
  @discardableResult
  public func delete(_ key: ConfigKey) async throws -> ConfigObject {
    guard let diskThread else { return try deleteNow(key) }
    return try await diskThread.runIfActive { try self.deleteNow(key) }
  }

  /// `delete` for synchronous callers (tools, tests): with a journal it blocks on disk I/O.
  @available(*, noasync, message: "use the async delete: it does disk I/O off the cooperative pool")
  @discardableResult
  public func delete(_ key: ConfigKey) throws -> ConfigObject {
    try deleteNow(key)
  }

  private func applyNow(_ objects: [ConfigObject]) throws -> [ApplyResult] {
    let now = clock().formatted(.iso8601)
    return try writer.withLock { _ in
      let staged = try state.withLock { state in
        try Self.stage(objects, on: state, current: { state.objects[$0] }, now: now)
      }
      guard !staged.changed.isEmpty else { return staged.results }
      try record(.apply(revision: staged.revision, objects: staged.changed))
      state.withLock { state in
        for (key, object) in staged.objects { state.commit(key, object) }
        state.revision = staged.revision
        broadcaster.publish(staged.events)
      }
      compactIfWanted()
      return staged.results
    }
  }

  /// Checks every precondition and rule and assigns revisions, changing nothing: the batch
  /// is all or nothing. O(batch). `current` is the stored version of a batch key: this
  /// store's own, or what a replicated store's backend holds (`prepare`).
  static func stage(
    _ objects: [ConfigObject], on state: State, current: (ConfigKey) -> ConfigObject?,
    now: String
  ) throws -> Staged {
    for object in objects {
      guard let expected = object.metadata.resourceVersion else { continue }
      let actual = current(object.key)?.metadata.resourceVersion
      if actual != expected {
        throw ConfigStoreError.conflict(key: object.key, expected: expected, actual: actual)
      }
    }
    var staged = Staged(revision: state.revision)
    staged.results.reserveCapacity(objects.count)
    for object in objects {
      let existing = staged.objects[object.key] ?? current(object.key)
      if let existing, existing.hasSameContent(as: object) {
        staged.results.append(ApplyResult(key: object.key, action: .unchanged, object: existing))
        continue
      }
      staged.revision += 1
      var stored = object
      stored.metadata.resourceVersion = String(staged.revision)
      if let existing {
        stored.metadata.creationTimestamp = existing.metadata.creationTimestamp
        stored.metadata.generation =
          existing.rawSpec == object.rawSpec
          ? existing.metadata.generation : existing.metadata.generation + 1
      } else {
        stored.metadata.creationTimestamp = now
        stored.metadata.generation = 1
      }
      staged.objects[object.key] = stored
      staged.changed.append(stored)
      staged.results.append(
        ApplyResult(
          key: object.key, action: existing == nil ? .created : .configured, object: stored))
      staged.events.append(
        ConfigEvent(key: object.key, old: existing, new: stored, revision: staged.revision))
    }
    let issues = crossObjectIssues(
      changed: staged.changed, staged: staged.objects, stored: state.objects, index: state.index)
    if !issues.isEmpty { throw ConfigValidationError(issues: issues) }
    return staged
  }

  private func deleteNow(_ key: ConfigKey) throws -> ConfigObject {
    try writer.withLock { _ in
      let (existing, revision) = state.withLock { ($0.objects[key], $0.revision + 1) }
      guard let existing else { throw ConfigStoreError.notFound(key) }
      try record(.delete(revision: revision, key: key))
      state.withLock { state in
        state.commit(key, nil)
        state.revision = revision
        broadcaster.publish([ConfigEvent(key: key, old: existing, new: nil, revision: revision)])
      }
      compactIfWanted()
      return existing
    }
  }

  /// Makes `entry` durable; any failure is the caller's `notStored` (nothing changed).
  private func record(_ entry: JournalEntry) throws {
    guard let journal else { return }
    do {
      try journal.record(entry)
    } catch {
      throw ConfigStoreError.notStored("\(error)")
    }
  }

  /// Folds the journal into a snapshot when it asks (on the writer, after a commit); a
  /// failure leaves the journal as it was, which is still complete.
  private func compactIfWanted() {
    guard let journal, journal.wantsCompaction else { return }
    let (objects, revision) = state.withLock { ($0.objects, $0.revision) }
    try? journal.compact(objects: Array(objects.values), revision: revision)
  }

  /// The stored object at `key`, if any.
  public func get(_ key: ConfigKey) -> ConfigObject? {
    state.withLock { $0.objects[key] }
  }

  /// Stored objects, optionally of one kind and namespace, in key order.
  public func list(kind: ConfigKind? = nil, namespace: String? = nil) -> [ConfigObject] {
    let objects = state.withLock { $0.objects }
    return objects.values
      .filter {
        (kind == nil || $0.key.kind == kind) && (namespace == nil || $0.key.namespace == namespace)
      }
      .sorted { $0.key < $1.key }
  }

  /// Cached per revision. Built outside the lock from a copy-on-write copy of the objects
  /// so a large sort never holds up writers (`ShardedObjects` keeps a write meanwhile cheap).
  public func snapshot() -> MeshSnapshot {
    let (cached, objects, revision) = state.withLock {
      state -> (MeshSnapshot?, ShardedObjects, Int64) in
      if state.snapshot.revision == state.revision {
        return (state.snapshot, ShardedObjects(), state.revision)
      }
      return (nil, state.objects, state.revision)
    }
    if let cached { return cached }
    let snapshot = MeshSnapshot(revision: revision, objects: objects.values)
    state.withLock { state in
      if state.snapshot.revision < snapshot.revision { state.snapshot = snapshot }
    }
    return snapshot
  }

  /// A new subscription to every change applied from now on.
  public func events() -> ConfigEventStream {
    broadcaster.subscribe()
  }

  /// Ends every event subscription, e.g. at shutdown.
  package func finishEvents() {
    broadcaster.finishAll()
  }
}
