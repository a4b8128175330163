import Logging

/// What every ADS stream shares: the current translation, the registry, metrics, settings,
/// the push throttle and the server's logger.
struct XDSContext: Sendable {
  let logger: Logger
  let translation: CurrentTranslation
  let registry: StreamRegistry
  let metrics: XDSMetrics
  let config: XDSServerConfig
  let throttle: PushThrottle
}
