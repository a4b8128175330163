import FairwayMesh
import FairwayStore
import FairwayTranslate
import Foundation
import Logging
import Synchronization

/// Turns store changes into pushes: scopes each change with `PushTable`, merges changes until
/// 100 ms of quiet (at most 10 s), rebuilds the translation once, and wakes every stream.
public final class PushCoordinator: Sendable {
  private struct Pending {
    var scope: PushScope?
    var wake: AsyncStream<Void>.Continuation?
  }

  private let store: any ConfigStore
  private let translation: CurrentTranslation
  private let registry: StreamRegistry
  private let metrics: XDSMetrics
  private let config: XDSServerConfig
  private let logger: Logger
  private let pending = Mutex(Pending())
  /// The last full snapshot, as the push table needs it to judge a change's reach.
  private let latestBasis = Mutex(PushTable.Basis(.empty))
  private let history = Mutex<[PushRecord]>([])
  /// Pushes kept for `/debug/push_status`.
  static let historyLimit = 50

  init(
    store: any ConfigStore, translation: CurrentTranslation, registry: StreamRegistry,
    metrics: XDSMetrics, config: XDSServerConfig, logger: Logger
  ) {
    self.store = store
    self.translation = translation
    self.registry = registry
    self.metrics = metrics
    self.config = config
    self.logger = logger
  }

  /// The most recent pushes, newest last.
  public var recentPushes: [PushRecord] { history.withLock { $0 } }

  /// Follows the store until cancelled. The initial translation is built before returning
  /// from the first suspension, so streams never see an empty mesh after startup.
  func run() async {
    let events = store.events()
    let started = ContinuousClock.now
    let snapshot = await store.snapshot()
    latestBasis.withLock { $0 = PushTable.Basis(snapshot) }
    translation.replace(with: MeshTranslator(snapshot: snapshot))
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
          let scope = PushTable.scope(for: event, against: self.latestBasis.withLock { $0 })
          self.enqueue(scope)
        }
        wake.finish()
      }
      group.addTask {
        for await _ in signals {
          await self.drain()
        }
      }
    }
  }

  /// Adds a scope to the pending push (also used to push on demand).
  func enqueue(_ scope: PushScope) {
    let wake = pending.withLock { pending -> AsyncStream<Void>.Continuation? in
      if var current = pending.scope {
        current.merge(scope)
        pending.scope = current
      } else {
        pending.scope = scope
      }
      return pending.wake
    }
    wake?.yield()
  }

  /// Waits out the debounce and pushes, until nothing is pending.
  private func drain() async {
    while true {
      guard let scope = pending.withLock({ $0.scope }) else { return }
      let now = ContinuousClock.now
      var deadline = min(
        scope.lastChange + config.debounceQuiet, scope.firstChange + config.debounceMax)
      if scope.isEndpointOnly, config.endpointsSkipDebounce { deadline = now }
      if now < deadline {
        try? await Task.sleep(until: deadline, clock: .continuous)
        if Task.isCancelled { return }
        continue
      }
      guard
        let batch = pending.withLock({ state -> PushScope? in
          defer { state.scope = nil }
          return state.scope
        })
      else { return }
      await push(batch)
    }
  }

  private func record(_ record: PushRecord) {
    history.withLock {
      $0.append(record)
      if $0.count > Self.historyLimit { $0.removeFirst($0.count - Self.historyLimit) }
    }
  }

  /// `previous` patched with the batch's objects when the batch is only WorkloadEntries, only
  /// VirtualServices or only DestinationRules (see `TranslationPatch`); nil otherwise.
  ///
  /// Taking a snapshot alone copies every stored object, O(mesh) for an O(1) change. Changes
  /// racing in after this batch was taken are in the next batch, so the revision pushed is the
  /// batch's own, not the store's.
  private func patchedTranslation(of previous: MeshTranslator, for scope: PushScope) async
    -> (MeshTranslator, Int64)?
  {
    guard TranslationPatch.kind(of: scope.configs) != nil else { return nil }
    let latest = await store.revision
    let revision = scope.revision > 0 ? min(scope.revision, latest) : latest
    var objects: [ConfigKey: ConfigObject?] = [:]
    for key in scope.configs { objects[key] = .some(await store.get(key)) }
    guard let patch = TranslationPatch(objects) else { return nil }
    return (MeshTranslator(updating: previous, revision: revision, patch: patch), revision)
  }

  private func push(_ scope: PushScope) async {
    let started = ContinuousClock.now
    let previous = translation.current
    let next: MeshTranslator
    let revision: Int64
    if let patched = await patchedTranslation(of: previous, for: scope) {
      (next, revision) = patched
    } else {
      let snapshot = await store.snapshot()
      revision = snapshot.revision
      next = MeshTranslator(snapshot: snapshot, reusing: previous)
      let basis = PushTable.Basis(snapshot)
      latestBasis.withLock { $0 = basis }
    }
    var scope = scope
    if scope.types.contains(.endpoint), scope.endpointClusters == nil,
      !scope.types.contains(.cluster)
    {
      scope.endpointClusters =
        next.incrementalEndpointChanges ?? next.changedEndpointClusters(since: previous)
    }
    translation.replace(with: next)
    let streams = registry.all
    for stream in streams { stream.push(scope) }
    registry.progress.advance()

    let debounce = (started - scope.firstChange).seconds
    metrics.recordPush(triggers: scope.triggers, debounceSeconds: debounce)
    let record = PushRecord(
      time: Date(), triggers: scope.triggers,
      configsUpdated: scope.configs.sorted().prefix(PushRecord.listedConfigs).map(\.description),
      configsUpdatedCount: scope.configs.count,
      types: scope.types.sorted().map(\.shortName), proxiesPushed: streams.count,
      debounceSeconds: debounce, durationSeconds: (ContinuousClock.now - started).seconds,
      revision: revision)
    self.record(record)
    logger.debug(
      "push",
      metadata: [
        "revision": "\(revision)", "types": "\(record.types)",
        "proxies": "\(streams.count)", "configs": "\(record.configsUpdatedCount)",
      ])
  }
}
