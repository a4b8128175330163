import FairwayMesh
import FairwayResources
import FairwayStore
import Foundation
import Logging
import Synchronization

/// Turns store changes into pushes: scopes each change with the engine, merges changes until
/// 100 ms of quiet (at most 10 s) as `Debounce` decides, rebuilds the translation once, and
/// wakes every stream.
final class PushCoordinator: Sendable {
  private struct Pending {
    var debounce: Debounce
    var wake: AsyncStream<Void>.Continuation?
  }

  private let store: any ConfigStore
  private let engine: any MeshTranslationEngine
  private let translation: CurrentTranslation
  private let registry: StreamRegistry
  private let metrics: XDSMetrics
  private let config: XDSServerConfig
  private let logger: Logger
  private let clock: any XDSClock
  private let pending: Mutex<Pending>
  /// Pushes that patched the previous translation, and pushes that rebuilt it from a snapshot.
  private let patches = Atomic<Int>(0)
  private let rebuilds = Atomic<Int>(0)
  private let history = Mutex<[PushRecord]>([])
  /// Pushes kept for `/debug/push_status`.
  static let historyLimit = 50

  init(
    store: any ConfigStore, engine: any MeshTranslationEngine, translation: CurrentTranslation,
    registry: StreamRegistry, metrics: XDSMetrics, config: XDSServerConfig,
    clock: any XDSClock = ContinuousXDSClock(), logger: Logger
  ) {
    self.clock = clock
    self.pending = Mutex(Pending(debounce: Debounce(Debounce.Settings(config))))
    self.store = store
    self.engine = engine
    self.translation = translation
    self.registry = registry
    self.metrics = metrics
    self.config = config
    self.logger = logger
  }

  /// The most recent pushes, newest last.
  var recentPushes: [PushRecord] { history.withLock { $0 } }

  /// How translations were built since start: patched in place or rebuilt from a snapshot.
  var translationBuilds: (patched: Int, rebuilt: Int) {
    (patches.load(ordering: .relaxed), rebuilds.load(ordering: .relaxed))
  }

  /// Changes waiting for the debounce.
  var pendingChanges: Int { pending.withLock { $0.debounce.pendingChanges } }

  /// Follows the store until cancelled. The initial translation is built before returning
  /// from the first suspension, so streams never see an empty mesh after startup.
  func run() async {
    let events = store.events()
    let started = ContinuousClock.now
    let snapshot = await store.snapshot()
    translation.replace(with: engine.translation(of: snapshot))
    record(
      PushRecord(
        time: Date(), triggers: ["startup": 1], configsUpdated: [], configsUpdatedCount: 0,
        types: XDSResourceType.allCases.map(\.shortName), proxiesPushed: 0, debounceSeconds: 0,
        durationSeconds: (ContinuousClock.now - started).seconds, revision: snapshot.revision))
    let (signals, wake) = AsyncStream.makeStream(
      of: Void.self, bufferingPolicy: .bufferingNewest(1))
    pending.withLock { $0.wake = wake }

    await withDiscardingTaskGroup { group in
      group.addTask {
        for await event in events {
          let reach = self.engine.changeScope(of: event)
          self.enqueue(
            PushScope(
              types: reach.types, endpointClusters: reach.endpointClusters, configs: [event.key],
              revision: event.revision, reach: reach.reach, vhdsTypes: reach.vhdsTypes))
        }
        wake.finish()
      }
      group.addTask {
        for await _ in signals {
          await self.drive()
        }
      }
    }
  }

  /// Adds a scope to the pending push (also used to push on demand).
  func enqueue(_ scope: PushScope) {
    let now = clock.now
    let wake = pending.withLock { pending -> AsyncStream<Void>.Continuation? in
      pending.debounce.receive(scope, at: now)
      return pending.wake
    }
    wake?.yield()
  }

  /// Carries out what the debounce decides (sleep, push) until it has nothing to do.
  /// A change that arrives while this sleeps can only move the due time later (see
  /// `Debounce.dueTime`), so sleeping to the instant decided before it is never late.
  private func drive() async {
    var action = pending.withLock { [now = clock.now] in $0.debounce.tick(at: now) }
    while true {
      switch action {
      case .idle:
        return
      case .wait(let deadline):
        do { try await clock.sleep(until: deadline) } catch { return }
        action = pending.withLock { [now = clock.now] in $0.debounce.tick(at: now) }
      case .push(let batch):
        await push(batch)
        action = pending.withLock { [now = clock.now] in $0.debounce.finished(at: now) }
      }
    }
  }

  private func record(_ record: PushRecord) {
    history.withLock {
      $0.append(record)
      if $0.count > Self.historyLimit { $0.removeFirst($0.count - Self.historyLimit) }
    }
  }

  /// `previous` patched with the batch's objects when the engine can take them without a
  /// snapshot (for Fairway's: only WorkloadEntries, only VirtualServices or only
  /// DestinationRules); nil otherwise.
  ///
  /// Taking a snapshot alone copies every stored object, O(mesh) for an O(1) change. Changes
  /// racing in after this batch was taken are in the next batch, so the revision pushed is the
  /// batch's own, not the store's.
  private func patchedTranslation(of previous: any MeshTranslation, for scope: PushScope) async
    -> (any MeshTranslation, Int64)?
  {
    guard engine.canPatch(scope.configs) else { return nil }
    let latest = await store.revision
    let revision = scope.revision > 0 ? min(scope.revision, latest) : latest
    var objects: [ConfigKey: ConfigObject?] = [:]
    for key in scope.configs { objects[key] = .some(await store.get(key)) }
    guard
      let next = engine.translation(
        updating: previous, with: .objects(objects, revision: revision))
    else { return nil }
    return (next, revision)
  }

  private func push(_ scope: PushScope) async {
    // The debounce is timed on the injected clock, the work of the push on the real one.
    let debounced = clock.now
    let started = ContinuousClock.now
    let previous = translation.current
    let next: any MeshTranslation
    let revision: Int64
    if let patched = await patchedTranslation(of: previous, for: scope) {
      (next, revision) = patched
      patches.add(1, ordering: .relaxed)
    } else {
      rebuilds.add(1, ordering: .relaxed)
      let snapshot = await store.snapshot()
      revision = snapshot.revision
      next =
        engine.translation(updating: previous, with: .snapshot(snapshot, changed: nil))
        ?? engine.translation(of: snapshot)
    }
    var scope = scope
    if scope.types.contains(.endpoint), scope.endpointClusters == nil,
      !scope.types.contains(.cluster)
    {
      scope.endpointClusters = next.endpointClustersChanged(since: previous)
    }
    translation.replace(with: next)
    let streams = registry.all
    var pushed = 0
    for stream in streams {
      let proxy = stream.snapshot.proxy
      // A proxy the change cannot reach (its Sidecar scope does not see the hosts, or they
      // are not exported to it) is sent nothing: only its revisions move on.
      if let reach = scope.reach, let proxy, !next.reaches(proxy, reach) {
        var untouched = scope
        untouched.types = []
        untouched.endpointClusters = nil
        untouched.vhdsTypes = nil
        stream.push(untouched)
        continue
      }
      pushed += 1
      stream.push(proxy.map(scope.narrowed(for:)) ?? scope)
    }
    registry.progress.advance()

    let debounce = (debounced - scope.firstChange).seconds
    metrics.recordPush(triggers: scope.triggers, debounceSeconds: debounce)
    let record = PushRecord(
      time: Date(), triggers: scope.triggers,
      configsUpdated: scope.configs.sorted().prefix(PushRecord.listedConfigs).map(\.description),
      configsUpdatedCount: scope.configs.count,
      types: scope.types.sorted().map(\.shortName), proxiesPushed: pushed,
      debounceSeconds: debounce, durationSeconds: (ContinuousClock.now - started).seconds,
      revision: revision)
    self.record(record)
    logger.debug(
      "push",
      metadata: [
        "revision": "\(revision)", "types": "\(record.types)",
        "proxies": "\(pushed)", "configs": "\(record.configsUpdatedCount)",
      ])
  }
}
