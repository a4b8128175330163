import CoreMetrics
import FairwayResources
import Synchronization

/// The swift-metrics side of `XDSMetrics`: every recording also goes to whatever backend the
/// process bootstrapped (`fairway serve` installs Prometheus), under istiod's metric names, so
/// dashboards built for istiod work unchanged. Without a bootstrap these are no-ops.
final class XDSMetricHandles: Sendable {
  /// Istio's names; also the keys the exporter uses to pick histogram buckets.
  enum Name {
    static let pushes = "pilot_xds_pushes"
    static let rejects = "pilot_total_xds_rejects"
    static let expiredNonce = "pilot_xds_expired_nonce"
    static let pushTriggers = "pilot_push_triggers"
    static let configSize = "pilot_xds_config_size_bytes"
    static let convergence = "pilot_proxy_convergence_time"
    static let debounce = "pilot_debounce_time"
    static let sendTime = "pilot_xds_send_time"
    static let rejectedStreams = "pilot_xds_rejected_streams"
    /// Fairway's own: istiod only logs "Unknown watched resources", with no counter to match.
    static let unknownTypeRequests = "fairway_xds_unknown_type_requests_total"
  }

  let pushes: [XDSResourceType: Counter]
  let rejects: [XDSResourceType: Counter]
  let configSize: [XDSResourceType: Recorder]
  let expiredNonce: Counter
  let convergence: Recorder
  let debounce: Recorder
  let sendTime: Recorder
  let rejectedStreams: Counter
  /// Unlabelled: the type URL is the client's choice, and a label per URL would be unbounded.
  let unknownTypeRequests: Counter
  /// Trigger kinds are open-ended strings, so their counters are made on first use.
  private let triggers = Mutex<[String: Counter]>([:])

  /// Handles are made once, here, from the factory in force now; `fairway serve` bootstraps
  /// the metrics system before it builds the server. Every type gets its series up front so
  /// a scrape shows zeros rather than missing series.
  init(factory: any MetricsFactory = MetricsSystem.factory) {
    var pushes: [XDSResourceType: Counter] = [:]
    var rejects: [XDSResourceType: Counter] = [:]
    var configSize: [XDSResourceType: Recorder] = [:]
    for type in XDSResourceType.allCases {
      let labels = [("type", type.shortName)]
      pushes[type] = Counter(label: Name.pushes, dimensions: labels, factory: factory)
      rejects[type] = Counter(label: Name.rejects, dimensions: labels, factory: factory)
      configSize[type] = Recorder(
        label: Name.configSize, dimensions: labels, aggregate: true, factory: factory)
    }
    self.pushes = pushes
    self.rejects = rejects
    self.configSize = configSize
    expiredNonce = Counter(label: Name.expiredNonce, dimensions: [], factory: factory)
    convergence = Recorder(
      label: Name.convergence, dimensions: [], aggregate: true, factory: factory)
    debounce = Recorder(label: Name.debounce, dimensions: [], aggregate: true, factory: factory)
    sendTime = Recorder(label: Name.sendTime, dimensions: [], aggregate: true, factory: factory)
    rejectedStreams = Counter(label: Name.rejectedStreams, dimensions: [], factory: factory)
    unknownTypeRequests = Counter(
      label: Name.unknownTypeRequests, dimensions: [], factory: factory)
    self.factory = factory
  }

  private let factory: any MetricsFactory

  func trigger(_ kind: String) -> Counter {
    triggers.withLock { counters in
      if let counter = counters[kind] { return counter }
      let counter = Counter(
        label: Name.pushTriggers, dimensions: [("type", kind)], factory: factory)
      counters[kind] = counter
      return counter
    }
  }
}
