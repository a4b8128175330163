import CoreMetrics
import FairwayMesh
import FairwayResources
import FairwayStore
import FairwayXDS
import Prometheus
import Synchronization

/// Serves `GET /metrics`: everything the push path records through swift-metrics, plus gauges
/// read at scrape time (connected proxies, services, process figures), as Prometheus text.
///
/// `fairway serve` calls `bootstrap()` before building the xDS server, so the push path's
/// counters and histograms land in this exporter's registry.
public final class PrometheusExporter: Sendable {
  /// The registry every series is written to and emitted from.
  public let registry: PrometheusCollectorRegistry
  /// Label sets of `pilot_xds` set at the previous scrape, so vanished ones drop to zero.
  private let connectedLabels = Mutex<Set<[String]>>([])
  /// Serialises scrape-time updates; counters are reset and re-set from absolute values.
  private let scrapeLock = Mutex(())

  /// Histogram buckets for the push path's histograms, in seconds or bytes.
  static let valueBuckets: [String: [Double]] = [
    "pilot_proxy_convergence_time": [0.1, 0.5, 1, 3, 5, 10, 20, 30],
    "pilot_debounce_time": [0.01, 0.1, 1, 3, 5, 10, 20, 30],
    "pilot_xds_send_time": [0.0001, 0.001, 0.01, 0.1, 1, 5],
    "pilot_xds_config_size_bytes": [1, 10_000, 1_000_000, 4_000_000, 10_000_000, 40_000_000],
  ]

  static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
    MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
  }

  public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
    self.registry = registry
  }

  /// The swift-metrics backend writing into `registry` with Istio's bucket layouts.
  func makeFactory() -> PrometheusMetricsFactory {
    var factory = PrometheusMetricsFactory(registry: registry)
    factory.valueHistogramBuckets = Self.valueBuckets
    return factory
  }

  /// Installs `makeFactory()` as the process-wide metrics backend. Call once, before any
  /// metric handle is made; swift-metrics allows one bootstrap per process.
  public func bootstrap() {
    MetricsSystem.bootstrap(makeFactory())
  }

  /// Refreshes the scrape-time series and renders the registry as Prometheus text.
  public func scrape(server: XDSServer, store: any ConfigStore) async -> String {
    let configs = await store.list(kind: nil, namespace: nil)
    let streams = server.streams.map(\.snapshot.proxy)
    scrapeLock.withLock { _ in
      updateConnected(streams)
      updateConfigs(configs)
      updateProcess(ProcessStats.current())
      updateThrottle(server.throttleFigures)
    }
    return registry.emitToString()
  }

  private func updateConnected(_ proxies: [Proxy?]) {
    var counts: [[String]: Int] = [:]
    for proxy in proxies {
      let type = proxy.map { $0.client == .grpc ? "grpc" : $0.kind.rawValue } ?? "unknown"
      let version = proxy?.istioVersion ?? ""
      counts[[version.isEmpty ? "unknown" : version, type], default: 0] += 1
    }
    connectedLabels.withLock { previous in
      for labels in previous.union(counts.keys) {
        registry.makeGauge(
          descriptor: Self.descriptor(
            "pilot_xds",
            "Number of xDS streams connected to this control plane, by version and client type."),
          labels: [("version", labels[0]), ("type", labels[1])]
        ).set(Double(counts[labels] ?? 0))
      }
      previous = Set(counts.keys)
    }
  }

  private func updateConfigs(_ configs: [ConfigObject]) {
    var hosts = Set<String>()
    var virtualServices = 0
    for config in configs {
      switch config.spec {
      case .serviceEntry(let entry):
        for host in entry.hosts ?? [] { hosts.insert("\(config.namespace)/\(host)") }
      case .virtualService:
        virtualServices += 1
      default:
        break
      }
    }
    registry.makeGauge(
      descriptor: Self.descriptor("pilot_services", "Total services known to the control plane.")
    )
    .set(Double(hosts.count))
    registry.makeGauge(
      descriptor: Self.descriptor(
        "pilot_virt_services", "Total VirtualServices known to the control plane.")
    )
    .set(Double(virtualServices))
    for kind in ConfigKind.allCases {
      registry.makeGauge(
        descriptor: Self.descriptor("fairway_configs", "Stored configs by kind."),
        labels: [("kind", kind.rawValue)]
      ).set(Double(configs.count { $0.kind == kind }))
    }
  }

  private func updateThrottle(_ figures: PushThrottleFigures) {
    registry.makeGauge(
      descriptor: Self.descriptor(
        "fairway_push_throttle_queued",
        "Streams waiting for room in the push window (bytes sent and not yet acknowledged).")
    ).set(Double(figures.queued))
    setCounter(
      "fairway_push_throttle_waits_total", "Responses that waited for room in the push window.",
      to: Double(figures.waited))
    setCounter(
      "fairway_push_throttle_expired_leases_total",
      "Responses that stopped counting against the push window unacknowledged, at the end of their lease.",
      to: Double(figures.expired))
  }

  private func setCounter(_ name: String, _ help: String, to value: Double) {
    let counter = registry.makeCounter(descriptor: Self.descriptor(name, help))
    counter.reset()
    counter.increment(by: value)
  }

  /// A gauge of the process, left out when its figure is unknown here.
  private func setGauge(_ name: String, _ help: String, to value: Double?) {
    guard let value else { return }
    registry.makeGauge(descriptor: Self.descriptor(name, help)).set(value)
  }

  private func updateProcess(_ stats: ProcessStats) {
    setGauge(
      "process_resident_memory_bytes", "Resident memory size in bytes.",
      to: stats.residentMemoryBytes)
    setGauge(
      "fairway_heap_in_use_bytes", "Bytes allocated from the C heap and not freed.",
      to: stats.heapInUseBytes)
    setGauge(
      "fairway_heap_free_bytes", "Bytes freed into the C heap's arenas and kept by the allocator.",
      to: stats.heapFreeBytes)
    setGauge(
      "process_open_fds", "Number of open file descriptors.", to: stats.openFileDescriptors)
    setGauge(
      "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
      to: stats.startTimeSeconds)
    if let value = stats.cpuSeconds {
      setCounter(
        "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", to: value)
    }
  }
}
