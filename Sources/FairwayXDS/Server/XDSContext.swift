/// What every ADS stream shares: the current translation, the registry, metrics and settings.
struct XDSContext: Sendable {
  let translation: CurrentTranslation
  let registry: StreamRegistry
  let metrics: XDSMetrics
  let config: XDSServerConfig
}
