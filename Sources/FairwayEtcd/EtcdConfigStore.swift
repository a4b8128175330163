import FairwayMesh
import FairwayProto
import FairwayStore
import Foundation
import Logging
import SwiftProtobuf
import Synchronization

/// A `ConfigStore` shared by every replica through etcd.
///
/// Each object is JSON under `<prefix><kind>/<namespace>/<name>`; its `resourceVersion` is
/// the key's mod revision and the store revision is etcd's revision of the last change
/// (see `EtcdKeyspace.marker`), so both are the same on every replica. Unlike the in-memory
/// store's, revisions are etcd's: one per transaction (the objects of a batch share it) and
/// increasing, with gaps where etcd was written outside the prefix. An apply is one etcd
/// transaction for the whole batch, guarded by the mod revision of every key it read, and
/// returns only after etcd committed it. Reads come from a local copy (an
/// `InMemoryConfigStore`, which also keeps the cross-object rules) filled by a Range at
/// start and kept by a Watch; every change, from this replica or any other, reaches
/// `events()` from that watch, so the push path treats them all alike.
///
/// etcd unreachable: writes fail with `ConfigStoreError.unavailable`, reads keep serving
/// the copy, `isReady` is false, and the watch reconnects with bounded backoff, resuming
/// from its last revision (or resyncing from a fresh Range if etcd compacted it meanwhile).
public final class EtcdConfigStore: ConfigStore {
  public let client: EtcdClient
  let configuration: EtcdConfiguration
  let keyspace: EtcdKeyspace
  /// The local copy: reads, snapshots, events and the staging rules.
  let mirror = InMemoryConfigStore()
  let logger: Logger
  let follow = Mutex(FollowState())
  /// Transactions retried when keys change between the read and the commit.
  static let maxAttempts = 8

  init(client: EtcdClient, logger: Logger) {
    self.client = client
    self.configuration = client.configuration
    self.keyspace = EtcdKeyspace(prefix: client.configuration.prefix)
    self.logger = logger
  }

  /// Connects, loads every config (waiting up to `startTimeout` for etcd) and starts
  /// following etcd's changes.
  ///
  /// - Throws: `ConfigStoreError.unavailable` when etcd cannot be reached in time.
  public static func connect(
    _ configuration: EtcdConfiguration, logger: Logger = Logger(label: "fairway.etcd")
  ) async throws -> EtcdConfigStore {
    let store = EtcdConfigStore(
      client: try EtcdClient(configuration: configuration), logger: logger)
    let deadline = ContinuousClock.now + configuration.startTimeout
    var attempt = 0
    while true {
      do {
        try await store.resync()
        break
      } catch let error as ConfigStoreError {
        guard case .unavailable = error, ContinuousClock.now < deadline else {
          store.client.close()
          throw error
        }
        attempt += 1
        logger.warning(
          "waiting for etcd", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
        try await Task.sleep(for: store.backoff(attempt))
      }
    }
    store.startFollowing()
    return store
  }

  /// Stops following etcd and closes the connection.
  public func shutdown() {
    let task = follow.withLock { state -> Task<Void, Never>? in
      state.stopped = true
      state.connected = false
      return state.loop
    }
    task?.cancel()
    client.close()
    mirror.finishEvents()
  }

  /// True while the watch on etcd is established: changes from other replicas arrive
  /// and writes can commit.
  public var isReady: Bool { follow.withLock { $0.connected && !$0.stopped } }

  public var revision: Int64 { mirror.revision }

  public func get(_ key: ConfigKey) async -> ConfigObject? { mirror.get(key) }

  public func list(kind: ConfigKind?, namespace: String?) async -> [ConfigObject] {
    mirror.list(kind: kind, namespace: namespace)
  }

  public func snapshot() async -> MeshSnapshot { mirror.snapshot() }

  public func events() -> ConfigEventStream { mirror.events() }

  // MARK: - Writes

  @discardableResult
  public func apply(_ objects: [ConfigObject]) async throws -> [ApplyResult] {
    guard !objects.isEmpty else { return [] }
    var keys: [ConfigKey] = []
    var seen: Set<ConfigKey> = []
    for object in objects where seen.insert(object.key).inserted { keys.append(object.key) }
    for _ in 0..<Self.maxAttempts {
      let current = try await read(keys)
      var results = try mirror.prepare(objects, current: current.objects)
      var changed: [ConfigKey: ConfigObject] = [:]
      for result in results where result.action != .unchanged {
        changed[result.key] = result.object
      }
      guard !changed.isEmpty else { return results }
      var txn = Etcdserverpb_TxnRequest()
      txn.compare = keys.map { key in
        modRevisionEquals(key, current.modRevisions[key] ?? 0)
      }
      txn.success =
        changed.keys.sorted().compactMap { key in
          changed[key].map { put(keyspace.key(key), StoredObjectCodec.encode($0)) }
        } + [put(keyspace.marker, [])]
      let response = try await client.txn(txn)
      // A key changed between the read and the commit: read again (a stale
      // `resourceVersion` then fails as a conflict).
      guard response.succeeded else { continue }
      let revision = response.header.revision
      for index in results.indices where results[index].action != .unchanged {
        results[index].object.metadata.resourceVersion = String(revision)
      }
      await waitForCopy(revision)
      return results
    }
    throw ConfigStoreError.unavailable(
      "the batch's objects kept changing in etcd during \(Self.maxAttempts) attempts; try again")
  }

  @discardableResult
  public func delete(_ key: ConfigKey) async throws -> ConfigObject {
    var previous: ConfigObject?
    for _ in 0..<Self.maxAttempts {
      let current = try await read([key])
      guard let revision = current.modRevisions[key] else {
        // Gone after an attempt whose answer was lost (a retried call): that attempt or
        // another writer removed what we read, which is what was asked.
        if let previous { return previous }
        throw ConfigStoreError.notFound(key)
      }
      guard let object = current.objects[key] else { throw ConfigStoreError.notFound(key) }
      previous = object
      var remove = Etcdserverpb_DeleteRangeRequest()
      remove.key = Data(keyspace.key(key))
      var txn = Etcdserverpb_TxnRequest()
      txn.compare = [modRevisionEquals(key, revision)]
      txn.success = [
        Etcdserverpb_RequestOp.with { $0.requestDeleteRange = remove }, put(keyspace.marker, []),
      ]
      let response = try await client.txn(txn)
      guard response.succeeded else { continue }
      await waitForCopy(response.header.revision)
      return object
    }
    throw ConfigStoreError.unavailable(
      "\(key) kept changing in etcd during \(Self.maxAttempts) attempts; try again")
  }

  /// The current value and mod revision of `keys` in etcd (absent keys have neither).
  private func read(_ keys: [ConfigKey]) async throws -> (
    objects: [ConfigKey: ConfigObject], modRevisions: [ConfigKey: Int64]
  ) {
    var objects: [ConfigKey: ConfigObject] = [:]
    var modRevisions: [ConfigKey: Int64] = [:]
    // etcd caps operations per transaction (--max-txn-ops, 128 by default); reads need
    // no atomicity (the commit compares every key's mod revision), so they go in chunks.
    for start in stride(from: 0, to: keys.count, by: 100) {
      let chunk = keys[start..<min(start + 100, keys.count)]
      var txn = Etcdserverpb_TxnRequest()
      txn.success = chunk.map { key in
        Etcdserverpb_RequestOp.with { $0.requestRange.key = Data(keyspace.key(key)) }
      }
      let response = try await client.txn(txn)
      for (key, op) in zip(chunk, response.responses) {
        guard let kv = op.responseRange.kvs.first else { continue }
        modRevisions[key] = kv.modRevision
        // An undecodable value (written by someone else) is replaced like an absent one.
        objects[key] = try? decode(kv)
      }
    }
    return (objects, modRevisions)
  }

  private func modRevisionEquals(_ key: ConfigKey, _ revision: Int64) -> Etcdserverpb_Compare {
    var compare = Etcdserverpb_Compare()
    compare.key = Data(keyspace.key(key))
    compare.target = .mod
    compare.result = .equal
    // 0 for a key that must not exist: etcd compares a missing key's revisions as 0.
    compare.modRevision = revision
    return compare
  }

  private func put(_ key: [UInt8], _ value: [UInt8]) -> Etcdserverpb_RequestOp {
    Etcdserverpb_RequestOp.with {
      $0.requestPut.key = Data(key)
      $0.requestPut.value = Data(value)
    }
  }

  func decode(_ kv: Mvccpb_KeyValue) throws -> ConfigObject {
    try StoredObjectCodec.decode(kv.value, resourceVersion: String(kv.modRevision))
  }

  /// Waits (bounded by the request timeout) until the watch brought `revision` into the
  /// local copy, so a read on this replica right after the 2xx sees the write. The write is
  /// committed either way.
  private func waitForCopy(_ revision: Int64) async {
    let deadline = ContinuousClock.now + configuration.requestTimeout
    while mirror.revision < revision, ContinuousClock.now < deadline {
      try? await Task.sleep(for: .milliseconds(1))
    }
  }
}
