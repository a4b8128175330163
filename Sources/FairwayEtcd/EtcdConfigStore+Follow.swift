import FairwayMesh
import FairwayProto
import FairwayStore
import Foundation
import Logging

/// How the watch stands; guarded by `EtcdConfigStore.follow`.
struct FollowState {
  /// The first revision the next watch asks for.
  var nextRevision: Int64 = 0
  var connected = false
  var stopped = false
  /// Set when etcd compacted past `nextRevision`: reload instead of resuming.
  var needsResync = false
  /// Failed attempts in a row, for the backoff.
  var failures = 0
  /// Full reloads after a compaction (observable by tests and logs).
  var resyncs = 0
  /// Watches lost to an error (etcd down, connection closed).
  var losses = 0
  var loop: Task<Void, Never>?
  var attempt: Task<Void, any Error>?
  var pausedUntil: ContinuousClock.Instant?
}

/// Thrown inside the watch when etcd compacted the revision it was asked to resume from.
struct WatchCompacted: Error {
  var compactRevision: Int64
}

extension EtcdConfigStore {
  func startFollowing() {
    let task = Task { await self.followLoop() }
    follow.withLock { $0.loop = task }
  }

  func backoff(_ failures: Int) -> Duration {
    let milliseconds = 50 * (1 << min(failures, 10))
    return min(.milliseconds(milliseconds), configuration.maxBackoff)
  }

  /// Number of full reloads after a compacted watch revision.
  public var resyncCount: Int { follow.withLock { $0.resyncs } }

  /// Number of times the watch was lost to an error and had to reconnect.
  public var watchLossCount: Int { follow.withLock { $0.losses } }

  private func followLoop() async {
    while !Task.isCancelled {
      // In short steps, so `resumeWatch` ends a pause early.
      while let until = follow.withLock({ $0.pausedUntil }), ContinuousClock.now < until {
        try? await Task.sleep(for: .milliseconds(20))
        if Task.isCancelled { return }
      }
      follow.withLock { $0.pausedUntil = nil }
      do {
        if follow.withLock({ $0.needsResync }) {
          try await resync(afterCompaction: true)
        }
        let attempt = Task { try await self.watchOnce() }
        follow.withLock { $0.attempt = attempt }
        try await attempt.value
      } catch let compacted as WatchCompacted {
        logger.warning(
          "etcd compacted the watch revision; reloading every config",
          metadata: ["compactRevision": "\(compacted.compactRevision)"])
        follow.withLock {
          $0.needsResync = true
          $0.connected = false
        }
      } catch {
        if Task.isCancelled { break }
        let failures = follow.withLock { state in
          if state.connected { state.losses += 1 }
          state.connected = false
          state.failures += 1
          return state.failures
        }
        if failures == 1 || failures % 50 == 0 {
          logger.warning(
            "etcd watch lost; serving the last known configs",
            metadata: ["error": "\(error)", "attempts": "\(failures)"])
        }
        try? await Task.sleep(for: backoff(failures))
      }
    }
  }

  /// One Watch stream from `nextRevision`; returns only by throwing.
  private func watchOnce() async throws {
    var create = Etcdserverpb_WatchCreateRequest()
    create.key = Data(Array(keyspace.prefix.utf8))
    create.rangeEnd = Data(keyspace.rangeEnd)
    create.startRevision = follow.withLock { $0.nextRevision }
    try await client.watch(create) { response in
      if response.compactRevision > 0 {
        throw WatchCompacted(compactRevision: response.compactRevision)
      }
      if response.canceled {
        throw ConfigStoreError.unavailable("etcd canceled the watch: \(response.cancelReason)")
      }
      if response.created {
        let wasDown = self.follow.withLock { state -> Bool in
          defer {
            state.connected = true
            state.failures = 0
          }
          return state.failures > 0
        }
        if wasDown { self.logger.notice("etcd watch re-established") }
      }
      self.record(response.events)
    }
  }

  /// Applies watched events to the local copy, one `replicate` per etcd revision (a
  /// transaction's events share one), publishing them as `ConfigEvent`s.
  private func record(_ events: [Mvccpb_Event]) {
    var changes: [(ConfigKey, ConfigObject?)] = []
    var revision: Int64 = 0
    for event in events {
      if event.kv.modRevision != revision, revision > 0 {
        mirror.replicate(changes, revision: revision)
        changes = []
      }
      revision = event.kv.modRevision
      guard let key = keyspace.configKey(event.kv.key) else { continue }
      switch event.type {
      case .put:
        do {
          changes.append((key, try decode(event.kv)))
        } catch {
          logger.warning(
            "ignoring an undecodable config in etcd",
            metadata: ["key": "\(key)", "error": "\(error)"])
          changes.append((key, nil))
        }
      default:
        changes.append((key, nil))
      }
    }
    guard revision > 0 else { return }
    mirror.replicate(changes, revision: revision)
    follow.withLock { $0.nextRevision = revision + 1 }
  }

  /// Loads every config at one etcd revision (in pages) and makes the local copy equal to
  /// it, publishing only the differences; the watch then resumes after that revision.
  /// `afterCompaction` counts it in `resyncCount`, before its events are published.
  func resync(afterCompaction: Bool = false) async throws {
    var objects: [ConfigObject] = []
    var latest: Int64 = 0
    var pinned: Int64 = 0
    var start = Data(Array(keyspace.prefix.utf8))
    while true {
      var request = Etcdserverpb_RangeRequest()
      request.key = start
      request.rangeEnd = Data(keyspace.rangeEnd)
      request.limit = 1_000
      request.revision = pinned
      let response = try await client.range(request)
      if pinned == 0 { pinned = response.header.revision }
      for kv in response.kvs {
        latest = max(latest, kv.modRevision)
        guard keyspace.configKey(kv.key) != nil else { continue }
        do {
          objects.append(try decode(kv))
        } catch {
          logger.warning(
            "ignoring an undecodable config in etcd",
            metadata: ["key": "\(String(decoding: kv.key, as: UTF8.self))", "error": "\(error)"])
        }
      }
      guard response.more, let last = response.kvs.last else { break }
      start = last.key + Data([0])
    }
    if afterCompaction { follow.withLock { $0.resyncs += 1 } }
    mirror.resync(to: objects, revision: latest)
    follow.withLock {
      $0.nextRevision = pinned + 1
      $0.needsResync = false
    }
  }

  /// Drops the watch and keeps it down for `duration` (then it resumes from its last
  /// revision, or reloads if etcd compacted meanwhile): what a network partition does.
  func interruptWatch(for duration: Duration) {
    let attempt = follow.withLock { state -> Task<Void, any Error>? in
      state.pausedUntil = ContinuousClock.now + duration
      state.connected = false
      return state.attempt
    }
    attempt?.cancel()
  }

  /// Ends a pause `interruptWatch` started: the watch resumes now.
  func resumeWatch() {
    follow.withLock { state in
      if state.pausedUntil != nil { state.pausedUntil = ContinuousClock.now }
    }
  }
}
