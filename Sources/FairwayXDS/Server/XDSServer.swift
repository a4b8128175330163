import FairwayResources
import FairwayStore
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import NIOCertificateReloading
import NIOCore
import ServiceLifecycle
import Synchronization

/// The ADS server: gRPC over HTTP/2 serving `AggregatedDiscoveryService` (SotW and Delta),
/// fed by the config store through the push coordinator. It serves whatever the
/// `MeshTranslationEngine` it is given translates; the admin module reads it through the small
/// surface in `XDSServer+Status.swift`.
public final class XDSServer: Service, Sendable {
  let registry = StreamRegistry()
  let metrics = XDSMetrics()
  let translation: CurrentTranslation
  let coordinator: PushCoordinator
  let throttle: PushThrottle
  public let config: XDSServerConfig
  private let logger: Logger
  private let server: GRPCServer<HTTP2ServerTransport.Posix>
  private let certificateReloader: TimedCertificateReloader?
  /// The ADS connections open now (including those being closed).
  public var connectionCount: Int { connections.count }
  private let connections: ConnectionLimiter

  /// Serves `store` as `engine` translates it.
  ///
  /// - Throws: when TLS is configured and the certificate or key cannot be loaded.
  public init(
    store: any ConfigStore, engine: any MeshTranslationEngine, config: XDSServerConfig = .init(),
    logger: Logger
  ) throws {
    self.config = config
    self.logger = logger
    self.throttle = PushThrottle(limit: config.pushWindowBytes, lease: config.pushLease)
    let translation = CurrentTranslation(engine.translation(of: .empty))
    self.translation = translation
    self.coordinator = PushCoordinator(
      store: store, engine: engine, translation: translation, registry: registry,
      metrics: metrics, config: config, logger: logger)
    var security = HTTP2ServerTransport.Posix.TransportSecurity.plaintext
    if let tls = config.tls {
      let reloader = try TimedCertificateReloader.makeReloaderValidatingSources(
        refreshInterval: tls.reloadInterval,
        certificateSource: .init(location: .file(path: tls.certificatePath), format: .pem),
        privateKeySource: .init(location: .file(path: tls.privateKeyPath), format: .pem),
        logger: logger)
      certificateReloader = reloader
      if let clientCA = tls.clientCAPath {
        security = try .mTLS(certificateReloader: reloader) { tlsConfig in
          tlsConfig.trustRoots = .certificates([.file(path: clientCA, format: .pem)])
          tlsConfig.clientCertificateVerification = .noHostnameVerification
        }
      } else {
        security = try .tls(certificateReloader: reloader)
      }
    } else {
      certificateReloader = nil
    }
    let connections = ConnectionLimiter(
      limit: config.maxConnections, idleTimeout: config.connectionIdleTimeout)
    self.connections = connections
    let transport = HTTP2ServerTransport.Posix(
      address: .ipv4(host: config.host, port: config.port),
      transportSecurity: security,
      config: .defaults { transport in
        transport.http2.maxConcurrentStreams = config.maxConcurrentStreams
        transport.channelDebuggingCallbacks.onAcceptTCPConnection = { channel in
          channel.setOption(ChannelOptions.writeBufferWaterMark, value: Self.writeBufferWaterMark)
            .flatMap { connections.admit(channel) }
        }
        transport.channelDebuggingCallbacks.onAcceptHTTP2Stream = { stream in
          if let connection = stream.parent { connections.opened(streamOn: connection) }
          return InboundBufferReleaser.install(on: stream)
        }
        transport.connection.keepalive.clientBehavior.minPingIntervalWithoutCalls =
          config.minPingInterval
        transport.connection.keepalive.clientBehavior.allowWithoutCalls = true
        transport.connection.maxGraceTime = config.maxGraceTime
        transport.connection.maxIdleTime = config.connectionIdleTimeout
        transport.connection.maxAge = config.maxConnectionAge
        transport.connection.keepalive.time = config.keepaliveTime
        transport.connection.keepalive.timeout = config.keepaliveTimeout
        // A backstop above the limit the service enforces with a clear status.
        transport.rpc.maxRequestPayloadSize = config.maxRequestBytes * 2 + 1024
      })
    let context = XDSContext(
      logger: logger, translation: translation, registry: registry, metrics: metrics,
      config: config, throttle: throttle)
    let service = AggregatedDiscoveryService(
      context: context,
      admission: TokenBucket(
        ratePerSecond: config.newStreamsPerSecond, burst: config.newStreamBurst))
    self.server = GRPCServer(transport: transport, services: [service])
  }

  /// Bytes a connection may hold unwritten before it reports itself unwritable (NIO's default
  /// is 32/64 KiB). Every change of a connection's writability is passed on to each of its
  /// HTTP/2 streams, and gRPC flushes each one: with a response of hundreds of KiB, the default
  /// flipped writability twice per response, and proxyless clients or proxies that multiplex
  /// streams on one connection paid that per stream. `PushThrottle` bounds what is queued.
  static let writeBufferWaterMark = ChannelOptions.Types.WriteBufferWaterMark(
    low: 2 * 1024 * 1024, high: 4 * 1024 * 1024)

  /// Sets the allocator up to give freed memory back (see `HeapTrimmer.configureAllocator`);
  /// call once at start, before the server allocates much. False where it does not apply.
  @discardableResult
  public static func configureAllocator() -> Bool {
    HeapTrimmer.configureAllocator()
  }

  /// The bound port once listening (useful with port 0).
  public var listeningPort: Int? {
    get async {
      guard let address = try? await server.listeningAddress else { return nil }
      return address.ipv4?.port ?? address.ipv6?.port
    }
  }

  /// Serves until cancelled or until graceful shutdown, which stops accepting streams and
  /// gives open ones `maxGraceTime` to finish.
  public func run() async throws {
    try await withGracefulShutdownHandler {
      try await withThrowingDiscardingTaskGroup { group in
        group.addTask { await self.coordinator.run() }
        group.addTask { await self.throttle.run() }
        if let quiet = self.config.heapTrimQuiet {
          let (metrics, logger) = (self.metrics, self.logger)
          group.addTask {
            // Streams that end free what they held just as a push burst does.
            let registry = self.registry
            await HeapTrimmer(
              quiet: quiet, activity: { metrics.responsesSent &+ registry.removedCount },
              logger: logger
            ).run()
          }
        }
        if let reloader = self.certificateReloader {
          group.addTask { try await reloader.run() }
        }
        group.addTask {
          if let port = await self.listeningPort {
            self.logger.info("ADS listening", metadata: ["address": "\(self.config.host):\(port)"])
          }
        }
        try await self.server.serve()
        group.cancelAll()
      }
    } onGracefulShutdown: {
      self.beginGracefulShutdown()
    }
  }

  /// Stops accepting new streams and ends open ones cleanly (status OK), so proxies reconnect
  /// to another replica at once instead of waiting out the grace time.
  public func beginGracefulShutdown() {
    server.beginGracefulShutdown()
    for stream in registry.all { stream.close() }
  }
}
