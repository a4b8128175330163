import FairwayProto
import SwiftProtobuf

/// Registers every message Fairway packs into an `Any`, so proto JSON can print them.
enum AnyTypeRegistry {
  static let registered: Bool = {
    let types: [any SwiftProtobuf.Message.Type] = [
      Envoy_Config_Cluster_V3_Cluster.self,
      Envoy_Config_Endpoint_V3_ClusterLoadAssignment.self,
      Envoy_Config_Listener_V3_Listener.self,
      Envoy_Config_Route_V3_RouteConfiguration.self,
      Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager.self,
      Envoy_Extensions_Filters_Http_Router_V3_Router.self,
      Envoy_Extensions_Filters_Http_Fault_V3_HTTPFault.self,
      Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy.self,
      Envoy_Extensions_Filters_Network_DubboProxy_V3_DubboProxy.self,
      Envoy_Extensions_Filters_Network_DubboProxy_V3_MultipleRouteConfiguration.self,
      Envoy_Extensions_Filters_Network_DubboProxy_Router_V3_Router.self,
      Envoy_Extensions_Filters_Listener_OriginalDst_V3_OriginalDst.self,
    ]
    for type in types { Google_Protobuf_Any.register(messageType: type) }
    return true
  }()
}
