import ArgumentParser
import FairwayAdmin
import FairwayMCP
import FairwayMesh
import FairwayRegistry
import FairwayStore
import FairwayTranslate
import FairwayXDS
import Foundation
import Logging
import NIOCertificateReloading
import NIOSSL
import ServiceLifecycle

/// `fairway serve`: runs the control plane. Today that is the admin API over an
/// in-memory store; the ADS server joins the same `ServiceGroup`.
struct Serve: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Run the control plane.")

  @Option(help: "Admin API port.")
  var adminPort: Int = AdminConfiguration.defaultPort

  @Option(
    help:
      "Keep configs in a journal in this directory (fsynced before each 2xx); in memory when absent."
  )
  var dataDir: String?

  @OptionGroup var etcd: EtcdOptions

  @OptionGroup var dubboRegistry: DubboRegistryOptions

  @Option(
    help: "Bearer token required on mutating admin calls and /debug (or use --admin-token-file).")
  var adminToken: String?

  @Option(help: "File holding the admin bearer token.")
  var adminTokenFile: String?

  @Option(
    help: "PEM certificate (chain) for TLS on the ADS port; re-read every --tls-reload-seconds.")
  var tlsCert: String?

  @Option(help: "How often the TLS certificate and key are re-read from disk.")
  var tlsReloadSeconds: Int = 30

  @Option(help: "PEM private key for --tls-cert.")
  var tlsKey: String?

  @Option(help: "PEM CA bundle: ADS clients must present a certificate it signed (mTLS).")
  var clientCa: String?

  @Option(help: "ADS (gRPC) port.")
  var adsPort: Int = 15010

  @Option(help: "Pushes wait for this many milliseconds without changes…")
  var debounceQuietMs: Int = 100

  @Option(help: "…but at most this many milliseconds after the first change.")
  var debounceMaxMs: Int = 10_000

  @Flag(help: "Push endpoint-only changes without waiting for the debounce.")
  var endpointsSkipDebounce = false

  @Option(
    help:
      "Give freed memory back to the OS after this many milliseconds without a push response (0: never)."
  )
  var heapTrimQuietMs: Int = 1_000

  @Option(
    help:
      "Bytes of pushed responses not yet acknowledged, over all proxies, above which further pushes wait (0: no limit)."
  )
  var pushWindowBytes: Int = 64 * 1024 * 1024

  @Option(
    help:
      "Milliseconds after which a pushed response the proxy has not acknowledged stops counting against --push-window-bytes."
  )
  var pushLeaseMs: Int = 1_000

  @Option(help: "Concurrent HTTP/2 streams allowed per ADS connection.")
  var maxStreamsPerConnection: Int = 10_000

  @Option(help: "New ADS streams admitted per second (bursts of twice as many).")
  var newStreamsPerSecond: Int = 1_000

  @Option(
    help:
      "ADS TCP connections open at once; at the cap a new one displaces the oldest that never opened a stream, else it is closed on accept (default: the descriptor limit less a tenth, at least 256, for the admin port, journal and the rest)."
  )
  var maxAdsConnections: Int?

  @Option(
    help:
      "Close an ADS connection with no open stream (or that never sends anything) after this many milliseconds (0: never)."
  )
  var adsIdleTimeoutMs: Int = 60_000

  @Option(help: "Ping an ADS connection this many milliseconds after it last sent anything.")
  var adsKeepaliveMs: Int = 30_000

  @Option(help: "Close an ADS connection whose keepalive ping goes unanswered this long.")
  var adsKeepaliveTimeoutMs: Int = 10_000

  @Option(
    help:
      "Close ADS connections gracefully at this age in milliseconds, so clients rebalance (0: never)."
  )
  var adsMaxConnectionAgeMs: Int = 0

  @Option(help: "Resource names one ADS stream may subscribe to, over all types.")
  var maxSubscribedNames: Int = 200_000

  @Option(help: "Bytes of the resource names one ADS stream may subscribe to, over all types.")
  var maxSubscribedBytes: Int = 16 * 1024 * 1024

  @Option(help: "ADS streams open at once over all connections.")
  var maxAdsStreams: Int = 100_000

  // Envoy names every EDS cluster in one request: 10,000 services with subsets are 12,000+.
  @Option(help: "Resource names one DiscoveryRequest may carry.")
  var maxResourceNames: Int = 100_000

  @Option(help: "Largest DiscoveryRequest accepted, in bytes.")
  var maxRequestBytes: Int = 4 * 1024 * 1024

  @Option(help: "Address the servers bind to.")
  var bind: String = "127.0.0.1"

  @Option(help: "Istio's root namespace: its Sidecar and DestinationRules apply mesh-wide.")
  var rootNamespace = "istio-system"

  @Option(help: "Directory whose top-level *.yaml, *.yml and *.json files are applied at start.")
  var configDir: String?

  @Option(
    help:
      "Pull VirtualService, DestinationRule, ServiceEntry and WorkloadEntry from an MCP-over-xDS source (xds://HOST:PORT); repeatable. Its configs are read-only here."
  )
  var configSource: [String] = []

  @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
  var logLevel: LogLevel = .info

  @Option(help: "Largest admin request body, in bytes.")
  var maxBodyBytes: Int = AdminConfiguration.defaultMaxBodyBytes

  @Option(help: "Close an admin connection idle (no request in progress) this many seconds.")
  var adminIdleTimeoutSeconds: Double = 60

  @Option(
    help:
      "Close an admin connection whose request head is not complete this many seconds after its first byte (or the accept)."
  )
  var adminHeaderTimeoutSeconds: Double = 10

  @Option(
    help:
      "Close an admin connection whose request body is not complete this many seconds after its head."
  )
  var adminRequestTimeoutSeconds: Double = 60

  @Option(
    help:
      "Seconds an auto-registered WorkloadEntry outlives its proxy's last ADS stream (a reconnect within it keeps the entry)."
  )
  var autoRegistrationGrace: Double = 10

  @Option(
    help:
      "This instance's name in istio.io/workloadController on auto-registered entries; keep it across restarts (default: the host name)."
  )
  var instanceId: String?

  func validate() throws {
    guard autoRegistrationGrace >= 0, autoRegistrationGrace <= 86_400 else {
      throw ValidationError("--auto-registration-grace must be in 0...86400 seconds")
    }
    if let instanceId, instanceId.isEmpty || instanceId.count > 253 {
      throw ValidationError("--instance-id must be 1 to 253 characters")
    }
    guard (0...65535).contains(adminPort) else {
      throw ValidationError("--admin-port must be in 0...65535")
    }
    guard maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
    for (flag, seconds) in [
      ("--admin-idle-timeout-seconds", adminIdleTimeoutSeconds),
      ("--admin-header-timeout-seconds", adminHeaderTimeoutSeconds),
      ("--admin-request-timeout-seconds", adminRequestTimeoutSeconds),
    ] where !(seconds > 0 && seconds <= 86_400) {
      throw ValidationError("\(flag) must be in (0, 86400]")
    }
    for source in configSource where MCPSink.parse(source) == nil {
      throw ValidationError("--config-source \(source): expected xds://HOST:PORT")
    }
    guard (0...65535).contains(adsPort) else {
      throw ValidationError("--ads-port must be in 0...65535")
    }
    guard debounceQuietMs >= 0, debounceMaxMs >= debounceQuietMs else {
      throw ValidationError("--debounce-quiet-ms must be >= 0 and <= --debounce-max-ms")
    }
    guard heapTrimQuietMs >= 0 else { throw ValidationError("--heap-trim-quiet-ms must be >= 0") }
    guard adsIdleTimeoutMs >= 0, adsMaxConnectionAgeMs >= 0, adsKeepaliveMs > 0,
      adsKeepaliveTimeoutMs > 0
    else {
      throw ValidationError(
        "--ads-idle-timeout-ms and --ads-max-connection-age-ms must be >= 0, --ads-keepalive-ms and --ads-keepalive-timeout-ms positive"
      )
    }
    guard pushWindowBytes >= 0 else { throw ValidationError("--push-window-bytes must be >= 0") }
    guard pushLeaseMs > 0 else { throw ValidationError("--push-lease-ms must be positive") }
    guard (tlsCert == nil) == (tlsKey == nil) else {
      throw ValidationError("--tls-cert and --tls-key go together")
    }
    guard clientCa == nil || tlsCert != nil else {
      throw ValidationError("--client-ca needs --tls-cert and --tls-key")
    }
    guard maxStreamsPerConnection > 0, newStreamsPerSecond > 0, maxRequestBytes > 0,
      maxAdsStreams > 0, maxResourceNames > 0, (maxAdsConnections ?? 1) > 0,
      maxSubscribedNames > 0, maxSubscribedBytes > 0
    else {
      throw ValidationError(
        "--max-streams-per-connection, --new-streams-per-second and --max-request-bytes must be positive"
      )
    }
  }

  func run() async throws {
    let level = logLevel.level
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = level
      return handler
    }
    var configuredLogger = Logger(label: "fairway")
    configuredLogger.logLevel = level
    let logger = configuredLogger

    // Before the first connection: the ADS cap is derived from the raised limit.
    let descriptors = DescriptorLimit.raiseSoftLimit()
    if let descriptors {
      logger.notice(
        "open-file limit",
        metadata: [
          "soft": "\(descriptors.after)", "was": "\(descriptors.before)",
          "hard": "\(descriptors.hard)",
        ])
    }
    if heapTrimQuietMs > 0, !XDSServer.configureAllocator() {
      logger.debug("allocator settings not applied (not glibc)")
    }

    // Before anything makes a metric handle: swift-metrics binds handles at creation.
    let exporter = PrometheusExporter()
    exporter.bootstrap()

    if etcd.store != nil, dataDir != nil {
      throw ValidationError("--store and --data-dir exclude each other")
    }
    let etcdStore = try await etcd.connect(logger: logger)
    let store: any ConfigStore =
      if let etcdStore { etcdStore } else { try Self.makeStore(dataDir: dataDir, logger: logger) }
    if let configDir {
      try await Self.loadConfigDirectory(configDir, into: store, logger: logger)
    }

    let token = try resolvedAdminToken()
    if token == nil, !AdminConfiguration.isLoopback(bind) {
      throw CLIError(
        "error: refusing to serve the admin API on \(bind) without a token: anyone who can reach it could change the mesh. Pass --admin-token or --admin-token-file, or bind 127.0.0.1."
      )
    }

    var xdsConfig = XDSServerConfig()
    xdsConfig.host = bind
    xdsConfig.port = adsPort
    xdsConfig.debounceQuiet = .milliseconds(debounceQuietMs)
    xdsConfig.debounceMax = .milliseconds(debounceMaxMs)
    xdsConfig.endpointsSkipDebounce = endpointsSkipDebounce
    xdsConfig.heapTrimQuiet = heapTrimQuietMs > 0 ? .milliseconds(heapTrimQuietMs) : nil
    xdsConfig.pushWindowBytes = pushWindowBytes > 0 ? pushWindowBytes : nil
    xdsConfig.pushLease = .milliseconds(pushLeaseMs)
    xdsConfig.maxConcurrentStreams = maxStreamsPerConnection
    xdsConfig.newStreamsPerSecond = Double(newStreamsPerSecond)
    xdsConfig.newStreamBurst = Double(newStreamsPerSecond) * 2
    xdsConfig.maxRequestBytes = maxRequestBytes
    xdsConfig.maxStreams = maxAdsStreams
    xdsConfig.maxConnections =
      maxAdsConnections
      ?? DescriptorLimit.defaultMaxConnections(forLimit: descriptors?.after ?? 1_024)
    xdsConfig.connectionIdleTimeout =
      adsIdleTimeoutMs > 0 ? .milliseconds(adsIdleTimeoutMs) : nil
    xdsConfig.keepaliveTime = .milliseconds(adsKeepaliveMs)
    xdsConfig.keepaliveTimeout = .milliseconds(adsKeepaliveTimeoutMs)
    xdsConfig.maxConnectionAge =
      adsMaxConnectionAgeMs > 0 ? .milliseconds(adsMaxConnectionAgeMs) : nil
    xdsConfig.maxSubscribedNamesPerStream = maxSubscribedNames
    xdsConfig.maxSubscribedBytesPerStream = maxSubscribedBytes
    logger.notice(
      "ADS connection limit",
      metadata: ["maxAdsConnections": "\(xdsConfig.maxConnections)"])
    if let tlsCert, let tlsKey {
      xdsConfig.tls = TLSSettings(
        certificatePath: tlsCert, privateKeyPath: tlsKey, clientCAPath: clientCa,
        reloadInterval: .seconds(max(tlsReloadSeconds, 1)))
    }
    xdsConfig.maxResourceNamesPerRequest = maxResourceNames
    var adminConfiguration = AdminConfiguration(
      bindAddress: bind, port: adminPort, maxBodyBytes: maxBodyBytes, token: token,
      idleTimeout: .milliseconds(Int64(adminIdleTimeoutSeconds * 1000)),
      headerTimeout: .milliseconds(Int64(adminHeaderTimeoutSeconds * 1000)),
      requestTimeout: .milliseconds(Int64(adminRequestTimeoutSeconds * 1000)))
    var adminReloader: TimedCertificateReloader?
    if let tlsCert, let tlsKey {
      // The admin port serves the same certificate as ADS, re-read on the same schedule.
      do {
        let reloader = try TimedCertificateReloader.makeReloaderValidatingSources(
          refreshInterval: .seconds(max(tlsReloadSeconds, 1)),
          certificateSource: .init(location: .file(path: tlsCert), format: .pem),
          privateKeySource: .init(location: .file(path: tlsKey), format: .pem), logger: logger)
        adminConfiguration.tls = try TLSConfiguration.makeServerConfiguration(
          certificateReloader: reloader)
        adminReloader = reloader
      } catch {
        throw CLIError("error: TLS for the admin port: \(error)")
      }
    }
    let registration = AutoRegistrationController(
      store: store,
      configuration: .init(
        instanceID: instanceId ?? ProcessInfo.processInfo.hostName, grace: autoRegistrationGrace),
      logger: logger)
    let xds: XDSServer
    do {
      xds = try XDSServer(
        store: store, engine: TranslationEngine(rootNamespace: rootNamespace), config: xdsConfig,
        collections: MCPCollectionEncoder(), observer: registration, logger: logger)
    } catch {
      throw CLIError("error: TLS for ADS: \(error)")
    }

    let admin = AdminServer(
      store: store,
      configuration: adminConfiguration,
      extensions: [
        XDSDebugRoutes(server: xds),
        XDSWaitRoutes(server: xds, store: store),
        MetricsRoutes(exporter: exporter, server: xds, store: store),
        StatusPage(server: xds, store: store),
      ],
      logger: logger, readiness: { etcdStore?.isReady ?? true })
    let scheme = adminConfiguration.tls == nil ? "http" : "https"
    let adminApplication = try admin.makeApplication(onServerRunning: { port in
      logger.notice("admin API listening on \(scheme)://\(bind):\(port)")
    })
    var services: [any Service] = [xds, adminApplication, registration]
    for source in configSource {
      services.append(try MCPSink(address: source, store: store, logger: logger))
    }
    if let adminReloader { services.append(adminReloader) }
    services += try dubboRegistry.service(store: store, etcdStore: etcdStore, logger: logger)
    let group = ServiceGroup(
      configuration: .init(
        services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await group.run()
    etcdStore?.shutdown()
  }

  /// The admin token from --admin-token or --admin-token-file (trimmed), if any.
  func resolvedAdminToken() throws -> String? {
    if adminToken != nil, adminTokenFile != nil {
      throw ValidationError("pass --admin-token or --admin-token-file, not both")
    }
    if let adminToken {
      guard !adminToken.isEmpty else { throw ValidationError("--admin-token must not be empty") }
      return adminToken
    }
    guard let adminTokenFile else { return nil }
    guard let data = FileManager.default.contents(atPath: adminTokenFile),
      let text = String(data: data, encoding: .utf8)?.trimmingCharacters(
        in: .whitespacesAndNewlines),
      !text.isEmpty
    else {
      throw CLIError("error: --admin-token-file \(adminTokenFile): cannot read a token from it")
    }
    return text
  }

  /// The in-memory store, restored from and journaled to `dataDir` when given.
  static func makeStore(dataDir: String?, logger: Logger) throws -> InMemoryConfigStore {
    guard let dataDir else { return InMemoryConfigStore() }
    do {
      let journal = try FileConfigJournal(directory: dataDir)
      let recovered = try journal.load()
      if recovered.droppedBytes > 0 {
        logger.warning(
          "dropped a torn journal record (crash while writing); earlier records are kept",
          metadata: ["bytes": "\(recovered.droppedBytes)", "dataDir": "\(dataDir)"])
      }
      logger.notice(
        "restored configs",
        metadata: [
          "objects": "\(recovered.objects.count)", "revision": "\(recovered.revision)",
          "replayed": "\(recovered.replayed)", "dataDir": "\(dataDir)",
        ])
      return InMemoryConfigStore(
        restoring: recovered.objects, revision: recovered.revision, journal: journal)
    } catch {
      throw CLIError("error: --data-dir \(dataDir): \(error)")
    }
  }

  /// Parses and validates every config file first, then applies them in one batch, so a
  /// bad file leaves the store empty and stops the server with a readable message.
  static func loadConfigDirectory(_ directory: String, into store: any ConfigStore, logger: Logger)
    async throws
  {
    let parser = ConfigParser()
    let files: [String]
    do {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory),
        isDirectory.boolValue
      else {
        throw CLIError("error: --config-dir \(directory): not a directory")
      }
      files = try ConfigFiles.directoryFiles(directory)
    } catch {
      throw CLIError("error: \(error)")
    }
    var objects: [ConfigObject] = []
    var problems: [String] = []
    for file in files {
      guard let data = FileManager.default.contents(atPath: file) else {
        problems.append("\(file): cannot read file")
        continue
      }
      let format: ContentFormat = file.lowercased().hasSuffix(".json") ? .json : .yaml
      do {
        let parsed = try parser.parse(data, format: format)
        objects += parsed.objects
        for warning in parsed.warnings { logger.warning("\(file): \(warning)") }
      } catch let error as ConfigValidationError {
        problems += error.issues.map { "\(file): \($0)" }
      } catch {
        problems.append("\(file): \(error)")
      }
    }
    if !problems.isEmpty {
      throw CLIError(
        "error: invalid config in \(directory):\n"
          + problems.map { "  - \($0)" }.joined(separator: "\n"))
    }
    do {
      let results = try await store.apply(objects)
      logger.notice("applied \(results.count) configs from \(files.count) files in \(directory)")
    } catch {
      throw CLIError("error: applying \(directory): \(error)")
    }
  }
}

/// `--log-level` values; our own type, so no retroactive conformance on swift-log's.
enum LogLevel: String, ExpressibleByArgument, CaseIterable {
  case trace, debug, info, notice, warning, error, critical

  var level: Logger.Level {
    Logger.Level(rawValue: rawValue) ?? .info
  }
}
