import FairwayProto
import SwiftProtobuf

/// The HTTP filters of an HttpConnectionManager, router always last (grpc NACKs anything
/// after it, Envoy stops there).
enum HTTPFilters {
  typealias Filter = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpFilter

  static let faultName = "envoy.filters.http.fault"
  static let corsName = "envoy.filters.http.cors"
  static let routerName = "envoy.filters.http.router"
  static let onDemandName = "envoy.filters.http.on_demand"

  /// CORS and fault filters only when some route uses them: each costs every request.
  /// `onDemand` (VHDS on demand) comes first, so that the filters after it see the route of a
  /// host fetched for this very request.
  static func chain(fault: Bool, cors: Bool = false, onDemand: Bool = false) -> [Filter] {
    var filters: [Filter] = []
    if onDemand {
      var filter = Filter()
      filter.name = onDemandName
      filter.typedConfig = .packed(Envoy_Extensions_Filters_Http_OnDemand_V3_OnDemand())
      filters.append(filter)
    }
    if cors {
      var filter = Filter()
      filter.name = corsName
      filter.typedConfig = .packed(Envoy_Extensions_Filters_Http_Cors_V3_Cors())
      filters.append(filter)
    }
    if fault {
      var filter = Filter()
      filter.name = faultName
      filter.typedConfig = .packed(Envoy_Extensions_Filters_Http_Fault_V3_HTTPFault())
      filters.append(filter)
    }
    var router = Filter()
    router.name = routerName
    router.typedConfig = .packed(Envoy_Extensions_Filters_Http_Router_V3_Router())
    filters.append(router)
    return filters
  }
}
