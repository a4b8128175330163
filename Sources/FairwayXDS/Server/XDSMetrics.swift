import FairwayResources
import Synchronization

/// Counters and timings of the push path, named after istiod's metrics
/// (`pilot_xds_pushes`, `pilot_total_xds_rejects`, `pilot_proxy_convergence_time`, ...).
/// The operator-facing exporter reads `snapshot`.
public final class XDSMetrics: Sendable {
  /// A cumulative histogram in Prometheus' shape.
  public struct Histogram: Sendable, Equatable {
    public static let defaultBounds: [Double] = [
      0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
    ]
    public var bounds: [Double]
    public var counts: [Int]
    public var count = 0
    public var sum = 0.0

    public init(bounds: [Double] = Self.defaultBounds) {
      self.bounds = bounds
      self.counts = Array(repeating: 0, count: bounds.count)
    }

    mutating func observe(_ value: Double) {
      count += 1
      sum += value
      for (index, bound) in bounds.enumerated() where value <= bound { counts[index] += 1 }
    }
  }

  /// A copy of every counter and histogram at one moment.
  public struct Values: Sendable, Equatable {
    public var pushes: [XDSResourceType: Int] = [:]
    public var rejects: [XDSResourceType: Int] = [:]
    public var staleNonces = 0
    /// Requests for a type URL this server does not serve (answered empty, never stale nonces).
    var unknownTypeRequests = 0
    var pushTriggers: [String: Int] = [:]
    var configSizeBytes: [XDSResourceType: Histogram] = [:]
    package var convergence = Histogram()
    public var debounce = Histogram()
    var sendTime = Histogram()
    var rejectedStreams = 0
  }

  private let values = Mutex(Values())
  private let handles = XDSMetricHandles()
  private let sentCount = Atomic<Int>(0)

  public init() {}

  public var snapshot: Values { values.withLock { $0 } }

  /// Responses sent on all streams so far (a cheap activity signal; see `HeapTrimmer`).
  var responsesSent: Int { sentCount.load(ordering: .relaxed) }

  func recordSent(type: XDSResourceType, bytes: Int, seconds: Double) {
    sentCount.add(1, ordering: .relaxed)
    values.withLock {
      $0.pushes[type, default: 0] += 1
      $0.configSizeBytes[type, default: Histogram(bounds: [1e3, 1e4, 1e5, 1e6, 1e7])]
        .observe(Double(bytes))
      $0.sendTime.observe(seconds)
    }
    handles.pushes[type]?.increment()
    handles.configSize[type]?.record(bytes)
    handles.sendTime.record(seconds)
  }

  func recordNack(type: XDSResourceType) {
    values.withLock { $0.rejects[type, default: 0] += 1 }
    handles.rejects[type]?.increment()
  }

  func recordStaleNonce() {
    values.withLock { $0.staleNonces += 1 }
    handles.expiredNonce.increment()
  }

  func recordUnknownTypeRequest() {
    values.withLock { $0.unknownTypeRequests += 1 }
    handles.unknownTypeRequests.increment()
  }

  func recordConvergence(seconds: Double) {
    values.withLock { $0.convergence.observe(seconds) }
    handles.convergence.record(seconds)
  }

  func recordPush(triggers: [String: Int], debounceSeconds: Double) {
    values.withLock {
      for (kind, count) in triggers { $0.pushTriggers[kind, default: 0] += count }
      $0.debounce.observe(debounceSeconds)
    }
    for (kind, count) in triggers { handles.trigger(kind).increment(by: count) }
    handles.debounce.record(debounceSeconds)
  }

  func recordRejectedStream() {
    values.withLock { $0.rejectedStreams += 1 }
    handles.rejectedStreams.increment()
  }
}
