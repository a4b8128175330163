import FairwayMesh
import FairwayProto
import FairwayResources
import FairwayStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Auto-registration (istiod's `pilot/pkg/autoregistration`): proxies whose node names a
/// WorkloadGroup (`AUTO_REGISTER_GROUP`) get a WorkloadEntry while connected, deleted a grace
/// period after their last stream ends; health reports over ADS mark health-checked entries.
///
/// The ADS server tells it about streams through `ProxyStreamObserver` (calls that only queue);
/// one task (`run`) feeds a `RegistrationBook` and writes the store, one action at a time, so
/// the store sees the events in order. Entries are ordinary configs in the store: they survive a
/// restart on a durable store, and a sweep at start (then every `sweepInterval`) adopts this
/// instance's entries whose proxy is not connected, and any entry left disconnected, so none
/// leaks. With replicas on one etcd each instance acts only for the streams it holds; entries
/// name their controller (`istio.io/workloadController`).
public final class AutoRegistrationController: ProxyStreamObserver, Service, Sendable {
  public struct Configuration: Sendable {
    /// How long an entry outlives its proxy's last stream.
    public var grace: TimeInterval = 10
    /// This instance's name in `istio.io/workloadController`; must survive a restart so the
    /// instance recognises its own entries.
    public var instanceID: String
    /// How often the store is swept for entries nobody will delete (istiod: 10 x grace).
    public var sweepInterval: TimeInterval?
    /// Deletions per step, so a sweep after a long outage does not stall the push path.
    public var maxDeletesPerStep = 100

    public init(instanceID: String, grace: TimeInterval = 10) {
      self.instanceID = instanceID
      self.grace = grace
    }

    var effectiveSweepInterval: TimeInterval { sweepInterval ?? max(grace * 10, 1) }
    /// How often expiry is checked: a tenth of the grace, between 50 ms and 1 s.
    var tick: Duration { .milliseconds(Int(min(max(grace / 10, 0.05), 1) * 1000)) }
  }

  enum Event: Sendable {
    case connected(UInt64, RegistrationRequest, Date)
    case disconnected(UInt64, Date)
  }

  /// What the observer calls queue, drained by `run`. Health reports are kept latest-only per
  /// stream, so a proxy that reports in a loop costs a dictionary entry, not a queue.
  struct Inbox {
    var events: [Event] = []
    var health: [UInt64: (healthy: Bool, message: String?)] = [:]
    /// Streams that asked for registration: the only ones whose end and health matter.
    var registering: Set<UInt64> = []
  }

  let configuration: Configuration
  let store: any ConfigStore
  let logger: Logger
  private let inbox = Mutex(Inbox())
  private let wakeStream: AsyncStream<Void>
  private let wakeContinuation: AsyncStream<Void>.Continuation
  /// The book, readable by tests and debug output between steps.
  private let published: Mutex<RegistrationBook>

  public init(store: any ConfigStore, configuration: Configuration, logger: Logger) {
    self.store = store
    self.configuration = configuration
    self.logger = logger
    (wakeStream, wakeContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    published = Mutex(RegistrationBook(grace: configuration.grace))
  }

  /// The registration state after the latest step.
  public var book: RegistrationBook { published.withLock { $0 } }

  // MARK: ProxyStreamObserver

  public func proxyConnected(
    stream: UInt64, proxy: Proxy, node: Envoy_Config_Core_V3_Node, at time: Date
  ) {
    guard let request = RegistrationRequest(proxy: proxy, node: node) else { return }
    inbox.withLock {
      $0.registering.insert(stream)
      $0.events.append(.connected(stream, request, time))
    }
    wakeContinuation.yield()
  }

  public func proxyDisconnected(stream: UInt64, proxy: Proxy, at time: Date) {
    let queued = inbox.withLock {
      guard $0.registering.remove(stream) != nil else { return false }
      $0.events.append(.disconnected(stream, time))
      return true
    }
    if queued { wakeContinuation.yield() }
  }

  public func proxyReportedHealth(
    stream: UInt64, proxy: Proxy, healthy: Bool, message: String?, at time: Date
  ) {
    let queued = inbox.withLock {
      guard $0.registering.contains(stream) else { return false }
      $0.health[stream] = (healthy, message)
      return true
    }
    if queued { wakeContinuation.yield() }
  }

  // MARK: Running

  /// Steps on every event and every tick until cancelled or shut down gracefully.
  public func run() async throws {
    await cancelWhenGracefulShutdown {
      await withDiscardingTaskGroup { group in
        let (tick, wake) = (self.configuration.tick, self.wakeContinuation)
        group.addTask {
          while !Task.isCancelled {
            do { try await Task.sleep(for: tick) } catch { break }
            wake.yield()
          }
        }
        var book = RegistrationBook(grace: self.configuration.grace)
        var lastSweep: Date?
        wake.yield()
        for await _ in self.wakeStream {
          let now = Date()
          var actions: [RegistrationAction] = []
          let sweepDue = lastSweep.map {
            now.timeIntervalSince($0) >= self.configuration.effectiveSweepInterval
          }
          if sweepDue ?? true {
            actions += await self.sweep(into: &book, initial: lastSweep == nil, now: now)
            lastSweep = now
          }
          actions += self.drain(into: &book)
          actions += book.expire(at: now, limit: self.configuration.maxDeletesPerStep)
          for action in actions { await self.perform(action) }
          let snapshot = book
          self.published.withLock { $0 = snapshot }
        }
        group.cancelAll()
      }
    }
  }

  /// Queued events into the book, in order; health reports last (latest per stream).
  func drain(into book: inout RegistrationBook) -> [RegistrationAction] {
    let (events, health) = inbox.withLock { inbox in
      defer {
        inbox.events.removeAll(keepingCapacity: true)
        inbox.health.removeAll()
      }
      return (inbox.events, inbox.health)
    }
    var actions: [RegistrationAction] = []
    for event in events {
      switch event {
      case .connected(let stream, let request, let time):
        actions += book.connect(stream: stream, request: request, at: time)
      case .disconnected(let stream, let time):
        actions += book.disconnect(stream: stream, at: time)
      }
    }
    for (stream, report) in health.sorted(by: { $0.key < $1.key }) {
      actions += book.health(stream: stream, healthy: report.healthy, message: report.message)
    }
    return actions
  }

  /// Entries in the store nobody holds a stream for: this instance's (its proxy is not
  /// connected here, e.g. after a restart) and any marked disconnected (istiod's periodic
  /// cleanup). At the first sweep this instance's entries get the whole grace from now.
  func sweep(into book: inout RegistrationBook, initial: Bool, now: Date) async
    -> [RegistrationAction]
  {
    var actions: [RegistrationAction] = []
    for object in await store.list(kind: .workloadEntry, namespace: nil)
    where RegistrationEntry.isAutoRegistered(object) {
      let annotations = object.metadata.annotations
      let own = annotations[AutoRegistrationAnnotations.controller] == configuration.instanceID
      let connectedAt = RegistrationEntry.date(AutoRegistrationAnnotations.connectedAt, of: object)
      let disconnectedAt = RegistrationEntry.date(
        AutoRegistrationAnnotations.disconnectedAt, of: object)
      // Connected to another instance: that one is responsible for it.
      guard own || (disconnectedAt != nil && connectedAt == nil) else { continue }
      actions += book.adopt(
        object.key, connectedAt: connectedAt,
        disconnectedAt: initial && own ? nil : disconnectedAt, now: now)
    }
    return actions
  }
}
