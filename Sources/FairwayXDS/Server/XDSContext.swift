import FairwayResources
import Logging

/// What every ADS stream shares: the current translation, the registry, metrics, settings,
/// the push throttle, the server's logger, the clock pushes are timed on and the stream observer.
struct XDSContext: Sendable {
  let logger: Logger
  let translation: CurrentTranslation
  let registry: StreamRegistry
  let metrics: XDSMetrics
  let config: XDSServerConfig
  let throttle: PushThrottle
  let clock: any XDSClock
  /// Told of stream connects, disconnects and health reports (auto-registration), if anyone.
  let observer: (any ProxyStreamObserver)?
}
