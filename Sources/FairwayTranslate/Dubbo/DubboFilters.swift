import FairwayProto
import SwiftProtobuf

/// Envoy's Dubbo proxy network filter (Dubbo protocol, Hessian2) with the Dubbo router.
enum DubboFilters {
  typealias DubboProxy = Envoy_Extensions_Filters_Network_DubboProxy_V3_DubboProxy

  static let proxyName = "envoy.filters.network.dubbo_proxy"
  static let routerName = "envoy.filters.dubbo.router"

  /// A consumer's outbound proxy: routes come over ADS (`drds`) under the port's name, so a
  /// route change is a route push and never rewrites (and drains) the listener.
  static func outbound(port: UInt32) -> DubboProxy {
    var proxy = base(statPrefix: "outbound_0.0.0.0_\(port)")
    proxy.drds.configSource = ClusterBuilder.adsConfigSource()
    proxy.drds.routeConfigName = String(port)
    return proxy
  }

  /// A provider's inbound proxy: every interface and method to the local application.
  static func inbound(cluster: String) -> DubboProxy {
    var proxy = base(statPrefix: cluster)
    var config = Envoy_Extensions_Filters_Network_DubboProxy_V3_RouteConfiguration()
    config.name = cluster
    config.interface = "*"
    var route = Envoy_Extensions_Filters_Network_DubboProxy_V3_Route()
    route.match.method.name = DubboRouteBuilder.anyMethod
    route.route.cluster = cluster
    config.routes = [route]
    var multiple = DubboRouteBuilder.MultipleRouteConfiguration()
    multiple.name = cluster
    multiple.routeConfig = [config]
    proxy.multipleRouteConfig = multiple
    return proxy
  }

  private static func base(statPrefix: String) -> DubboProxy {
    var proxy = DubboProxy()
    proxy.statPrefix = statPrefix
    proxy.protocolType = .dubbo
    proxy.serializationType = .hessian2
    var router = Envoy_Extensions_Filters_Network_DubboProxy_V3_DubboFilter()
    router.name = routerName
    router.config = .packed(Envoy_Extensions_Filters_Network_DubboProxy_Router_V3_Router())
    proxy.dubboFilters = [router]
    return proxy
  }
}
