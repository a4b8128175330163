import FairwayProto
import SwiftProtobuf

/// The listener a proxyless gRPC client asks for when it dials `xds:///HOST:PORT`: named
/// exactly as dialled, an api_listener HttpConnectionManager fetching the route config of the
/// same name over ADS, router filter last.
enum GRPCListenerBuilder {
  static func listener(name: String, usesFault: Bool) -> Envoy_Config_Listener_V3_Listener {
    var hcm = ListenerBuilder.HCM()
    hcm.statPrefix = name
    hcm.rds.configSource = ClusterBuilder.adsConfigSource()
    hcm.rds.routeConfigName = name
    hcm.httpFilters = HTTPFilters.chain(fault: usesFault)
    var listener = Envoy_Config_Listener_V3_Listener()
    listener.name = name
    listener.apiListener.apiListener = .packed(hcm)
    return listener
  }
}
