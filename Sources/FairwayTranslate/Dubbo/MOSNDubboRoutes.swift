import FairwayMesh
import FairwayProto
import Foundation
import SwiftProtobuf

/// Dubbo routes for MOSN, in the HTTP shape MOSN's xDS converter reads: a virtual host whose
/// only domain is the interface (MOSN selects it by the call's service name), routes matching
/// headers only (no path: Dubbo calls have none), the method as the `method` header and
/// attachments as headers (`MOSNHeaderMatcher`).
enum MOSNDubboRoutes {
  typealias VirtualHost = Envoy_Config_Route_V3_VirtualHost
  typealias Route = Envoy_Config_Route_V3_Route
  typealias HeaderMatcher = Envoy_Config_Route_V3_HeaderMatcher

  /// MOSN's Dubbo codec puts the interface and method of each call in these headers.
  static let serviceHeader = "service"
  static let methodHeader = "method"

  static func virtualHost(service: MeshService, port: MeshPort, rules: [DubboRule]) -> VirtualHost {
    var host = VirtualHost()
    host.name = "\(service.host):\(port.number)"
    host.domains = [service.host]
    host.routes = rules.map(route)
    return host
  }

  static func route(_ rule: DubboRule) -> Route {
    var route = Route()
    route.name = rule.name
    var headers: [HeaderMatcher] = []
    if let method = rule.method {
      headers.append(MOSNHeaderMatcher.make(methodHeader, method, invert: false))
    }
    if let group = rule.pin.group {
      headers.append(
        MOSNHeaderMatcher.make(DubboRule.groupKey, StringMatch(exact: group), invert: false))
    }
    if let version = rule.pin.version {
      headers.append(
        MOSNHeaderMatcher.make(DubboRule.versionKey, StringMatch(exact: version), invert: false))
    }
    headers += rule.attachments.map {
      MOSNHeaderMatcher.make($0.name, $0.value, invert: $0.invert)
    }
    if headers.isEmpty {
      // A route with no condition at all: MOSN matches it on the service header being there.
      headers.append(MOSNHeaderMatcher.make(serviceHeader, StringMatch(), invert: false))
    }
    route.match.headers = headers
    var action = Envoy_Config_Route_V3_RouteAction()
    if rule.destinations.count == 1, let only = rule.destinations.first {
      action.cluster = only.cluster
    } else {
      var weighted = rule.weightedClusters
      // MOSN divides by the total it is given.
      weighted.totalWeight = Google_Protobuf_UInt32Value(
        UInt32(clamping: rule.destinations.reduce(UInt64(0)) { $0 + UInt64($1.weight) }))
      action.weightedClusters = weighted
    }
    if let timeout = rule.timeout.flatMap(ClusterBuilder.duration) {
      action.timeout = timeout
    }
    if let retries = rule.retries, let attempts = retries.attempts, attempts > 0 {
      var policy = Envoy_Config_Route_V3_RetryPolicy()
      policy.retryOn = retries.retryOn ?? "connect-failure,refused-stream"
      policy.numRetries = Google_Protobuf_UInt32Value(UInt32(clamping: attempts))
      if let perTry = retries.perTryTimeout.flatMap(ClusterBuilder.duration) {
        policy.perTryTimeout = perTry
      }
      action.retryPolicy = policy
    }
    route.route = action
    return route
  }
}
