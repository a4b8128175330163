import FairwayProto

/// A built route configuration and what its listener's filter chain must carry for it.
struct RouteConfigResult: Sendable {
  var config: Envoy_Config_Route_V3_RouteConfiguration
  /// Some route injects faults: the HttpConnectionManager needs the fault filter.
  var usesFault: Bool
  /// Some route has a CORS policy: the CORS filter must be in the chain.
  var usesCors: Bool = false
}
