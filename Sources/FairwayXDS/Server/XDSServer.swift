import FairwayResources
import FairwayStore
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import NIOCertificateReloading
import NIOCore
import ServiceLifecycle
import Synchronization

/// The ADS server: `XDSService` (SotW and Delta, fed by the config store through the push
/// coordinator) served over gRPC on HTTP/2, with TLS and connection limits. It serves whatever
/// the `MeshTranslationEngine` it is given translates; the admin module reads it through the
/// small surface in `XDSServer+Status.swift`.
public final class XDSServer: Service, Sendable {
  /// The transport-independent part; `XDSService.serve(on:)` runs it over any transport.
  let service: XDSService
  var registry: StreamRegistry { service.registry }
  var metrics: XDSMetrics { service.metrics }
  var translation: CurrentTranslation { service.translation }
  var coordinator: PushCoordinator { service.coordinator }
  var throttle: PushThrottle { service.throttle }
  public var config: XDSServerConfig { service.config }
  private let logger: Logger
  private let server: GRPCServer<HTTP2ServerTransport.Posix>
  private let certificateReloader: TimedCertificateReloader?
  /// The ADS connections open now (including those being closed).
  var connectionCount: Int { connections.count }
  private let connections: ConnectionLimiter

  /// Serves `store` as `engine` translates it, and, when `collections` is given, as MCP-over-xDS
  /// config collections to sinks that ask for them (istiod's `configSources`, another Fairway).
  ///
  /// - Parameter observer: told when streams connect and disconnect and when proxies report
  ///   health (auto-registration); the server itself writes nothing to the store.
  /// - Throws: when TLS is configured and the certificate or key cannot be loaded.
  public init(
    store: any ConfigStore, engine: any MeshTranslationEngine, config: XDSServerConfig = .init(),
    collections: (any ConfigCollectionEncoder)? = nil, observer: (any ProxyStreamObserver)? = nil,
    logger: Logger
  ) throws {
    self.logger = logger
    let service = XDSService(
      store: store, engine: engine, config: config, collections: collections, observer: observer,
      logger: logger)
    self.service = service
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
    self.server = GRPCServer(transport: transport, services: service.services)
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
  package static func configureAllocator() -> Bool {
    HeapTrimmer.configureAllocator()
  }

  /// The bound port once listening (useful with port 0).
  var listeningPort: Int? {
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
        if let reloader = self.certificateReloader {
          group.addTask { try await reloader.run() }
        }
        group.addTask {
          if let port = await self.listeningPort {
            self.logger.info("ADS listening", metadata: ["address": "\(self.config.host):\(port)"])
          }
        }
        try await self.service.serve(on: self.server)
        group.cancelAll()
      }
    } onGracefulShutdown: {
      self.beginGracefulShutdown()
    }
  }

  /// Stops accepting new streams and ends open ones cleanly (status OK), so proxies reconnect
  /// to another replica at once instead of waiting out the grace time.
  package func beginGracefulShutdown() {
    server.beginGracefulShutdown()
    service.closeStreams()
  }
}
