import FairwayResources
import FairwayStore
import GRPCCore
import Logging

/// The ADS service and what feeds it, over whatever gRPC transport serves it: the push
/// coordinator following the store, the push throttle, the stream registry, and the
/// `AggregatedDiscoveryService` handlers (SotW and Delta). `XDSServer` serves it over HTTP/2
/// on a socket; tests serve it over grpc-swift-2's in-process transport.
final class XDSService: Sendable {
  let registry = StreamRegistry()
  let metrics = XDSMetrics()
  let translation: CurrentTranslation
  let coordinator: PushCoordinator
  let throttle: PushThrottle
  let config: XDSServerConfig
  /// What the debounce, throttle leases and heap trimming are timed on.
  let clock: any XDSClock
  private let logger: Logger
  private let service: AggregatedDiscoveryService
  /// MCP-over-xDS collection streams, when the server was given an encoding for them.
  let collectionStreams: ConfigCollectionStreams?

  /// Serves `store` as `engine` translates it.
  ///
  /// - Parameters:
  ///   - clock: the real clock unless a test drives the time.
  ///   - collections: when set, SotW streams that ask for a config collection type URL are
  ///     answered with the store's configs in this encoding (MCP over xDS).
  ///   - observer: told of stream connects, disconnects and health reports.
  init(
    store: any ConfigStore, engine: any MeshTranslationEngine, config: XDSServerConfig = .init(),
    clock: any XDSClock = ContinuousXDSClock(), collections: (any ConfigCollectionEncoder)? = nil,
    observer: (any ProxyStreamObserver)? = nil,
    logger: Logger
  ) {
    self.config = config
    self.clock = clock
    self.logger = logger
    self.throttle = PushThrottle(
      limit: config.pushWindowBytes, lease: config.pushLease, clock: clock)
    let translation = CurrentTranslation(engine.translation(of: .empty))
    self.translation = translation
    self.coordinator = PushCoordinator(
      store: store, engine: engine, translation: translation, registry: registry,
      metrics: metrics, config: config, clock: clock, logger: logger)
    let context = XDSContext(
      logger: logger, translation: translation, registry: registry, metrics: metrics,
      config: config, throttle: throttle, clock: clock, observer: observer)
    self.collectionStreams = collections.map {
      ConfigCollectionStreams(store: store, encoder: $0, logger: logger)
    }
    self.service = AggregatedDiscoveryService(
      context: context,
      admission: TokenBucket(
        ratePerSecond: config.newStreamsPerSecond, burst: config.newStreamBurst),
      collections: collectionStreams)
  }

  /// The services to register on a `GRPCServer`.
  var services: [any RegistrableRPCService] { [service] }

  /// Serves on `server` (built with `services`) until it stops: the coordinator, throttle
  /// leases and heap trimming run alongside and stop with it.
  func serve<Transport: ServerTransport>(on server: GRPCServer<Transport>) async throws {
    try await withThrowingDiscardingTaskGroup { group in
      group.addTask { await self.runPushPath() }
      try await server.serve()
      group.cancelAll()
    }
  }

  /// Follows the store and paces pushes until cancelled, without a transport.
  func runPushPath() async {
    await withDiscardingTaskGroup { group in
      group.addTask { await self.coordinator.run() }
      group.addTask { await self.throttle.run() }
      if let quiet = config.heapTrimQuiet {
        let (metrics, registry, logger, clock) = (metrics, registry, logger, clock)
        group.addTask {
          // Streams that end free what they held just as a push burst does.
          await HeapTrimmer(
            quiet: quiet, activity: { metrics.responsesSent &+ registry.removedCount },
            logger: logger, clock: clock
          ).run()
        }
      }
    }
  }

  /// Ends open streams cleanly (status OK), so proxies reconnect to another replica at once
  /// instead of waiting out the grace time.
  func closeStreams() {
    for stream in registry.all { stream.close() }
    collectionStreams?.closeAll()
  }
}
