import FairwayResources

extension XDSServer {
  /// Every ADS stream open now.
  public var streams: [ProxyStream] { registry.all }

  /// The push path's counters and histograms since start.
  public var metricsSnapshot: XDSMetrics.Values { metrics.snapshot }

  /// The most recent pushes, newest last (`/debug/push_status`).
  public var recentPushes: [PushRecord] { coordinator.recentPushes }

  /// The push window's figures now.
  public var throttleFigures: PushThrottleFigures {
    let counts = throttle.counts
    return PushThrottleFigures(
      queued: throttle.queued, waited: counts.waited, expired: counts.expired)
  }

  /// Everything `proxy` (connected or hypothetical) would be sent by the translation served
  /// now, every gRPC target included.
  public func configDump(for proxy: Proxy) -> ConfigDump {
    translation.current.configDump(for: proxy)
  }
}
