import FairwayMesh
import FairwayStore
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging

/// The admin HTTP API (istiod's port 15014 equivalent): apply and read configs, debug
/// and health endpoints, plus routes added through `AdminExtension`s.
///
/// ```swift
/// let admin = AdminServer(store: store, extensions: [AdminRoutes { router in ... }])
/// try await admin.makeApplication().runService()   // or add it to a ServiceGroup
/// ```
public struct AdminServer: Sendable {
  public let store: any ConfigStore
  public let configuration: AdminConfiguration
  public let extensions: [any AdminExtension]
  public let logger: Logger
  let parser: ConfigParser
  let readiness: @Sendable () async -> Bool

  /// - Parameters:
  ///   - readiness: answers `GET /healthz/ready`; ready by default.
  public init(
    store: any ConfigStore,
    configuration: AdminConfiguration = AdminConfiguration(),
    extensions: [any AdminExtension] = [],
    logger: Logger = Logger(label: "fairway.admin"),
    readiness: @escaping @Sendable () async -> Bool = { true }
  ) {
    self.store = store
    self.configuration = configuration
    self.extensions = extensions
    self.logger = logger
    self.parser = ConfigParser(limits: configuration.effectiveParseLimits)
    self.readiness = readiness
  }

  /// The router with every built-in and extension route.
  package func makeRouter() -> Router<AdminRequestContext> {
    let router = Router(context: AdminRequestContext.self)
    // Middleware applies only to routes added after it, so it goes first.
    router.add(middleware: AdminErrorMiddleware())
    if let token = configuration.token {
      router.add(middleware: AdminAuthMiddleware(token: token))
    }
    registerApply(on: router)
    registerResources(on: router)
    registerDebug(on: router)
    for routes in extensions {
      routes.registerRoutes(on: router)
    }
    return router
  }

  /// A Hummingbird application serving the API; a `Service` for ServiceLifecycle.
  ///
  /// Every request's path is made canonical before the router and the token check see it
  /// (`AdminPathResponder`); connections are closed when idle or too slow
  /// (`AdminConnectionDeadlines`).
  public func makeApplication(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
    throws -> some ApplicationProtocol
  {
    let configuration = self.configuration
    let http1 = HTTP1Channel.Configuration(
      additionalChannelHandlers: [
        AdminConnectionDeadlines(
          idleTimeout: configuration.idleTimeout, headerTimeout: configuration.headerTimeout,
          requestTimeout: configuration.requestTimeout)
      ])
    var server = HTTPServerBuilder.http1(configuration: http1)
    if let tls = configuration.tls {
      server = try .tls(.http1(configuration: http1), tlsConfiguration: tls)
    }
    return Application(
      responder: AdminPathResponder(inner: makeRouter().buildResponder()),
      server: server,
      configuration: .init(
        address: .hostname(configuration.bindAddress, port: configuration.port),
        serverName: "fairway"),
      onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
      logger: logger)
  }

  /// Serves until the task is cancelled or a shutdown signal arrives.
  public func run() async throws {
    try await makeApplication().runService()
  }
}
