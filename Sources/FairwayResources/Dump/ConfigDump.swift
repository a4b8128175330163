import FairwayMesh
import FairwayProto
import Foundation
import SwiftProtobuf

/// What one proxy is given, for `/debug/config_dump`: the very resources the ADS server sends.
public struct ConfigDump: Sendable {
  public var clusters: ResourceSet
  public var endpoints: ResourceSet
  public var listeners: ResourceSet
  public var routes: ResourceSet
  /// Envoy's Dubbo route configurations (`drds`).
  public var dubboRoutes: ResourceSet

  public init(
    clusters: ResourceSet, endpoints: ResourceSet, listeners: ResourceSet, routes: ResourceSet,
    dubboRoutes: ResourceSet = ResourceSet(type: .dubboRoute)
  ) {
    self.clusters = clusters
    self.endpoints = endpoints
    self.listeners = listeners
    self.routes = routes
    self.dubboRoutes = dubboRoutes
  }

  /// Envoy's admin `ConfigDump` shape as proto JSON (field names as in the .proto files):
  /// `{"configs":[ClustersConfigDump, EndpointsConfigDump, ListenersConfigDump, RoutesConfigDump]}`
  /// with each resource decoded from the same bytes that are sent. Envoy's admin has no
  /// section for Dubbo routes, so each `MultipleRouteConfiguration` follows as an entry of its
  /// own (`configs` is a list of `Any`).
  public func jsonString() -> String {
    AnyTypeRegistry.ensureRegistered()
    let sections =
      [
        section(
          "envoy.admin.v3.ClustersConfigDump", "dynamic_active_clusters", clusters,
          entry: { "{\"version_info\":\(quote($0.version)),\"cluster\":\(json($0))}" }),
        section(
          "envoy.admin.v3.EndpointsConfigDump", "dynamic_endpoint_configs", endpoints,
          entry: { "{\"version_info\":\(quote($0.version)),\"endpoint_config\":\(json($0))}" }),
        section(
          "envoy.admin.v3.ListenersConfigDump", "dynamic_listeners", listeners,
          entry: {
            "{\"name\":\(quote($0.name)),\"active_state\":{\"version_info\":\(quote($0.version)),"
              + "\"listener\":\(json($0))}}"
          }),
        section(
          "envoy.admin.v3.RoutesConfigDump", "dynamic_route_configs", routes,
          entry: { "{\"version_info\":\(quote($0.version)),\"route_config\":\(json($0))}" }),
      ] + dubboRoutes.sortedResources.map(json)
    return "{\"configs\":[" + sections.joined(separator: ",") + "]}"
  }

  private func section(
    _ type: String, _ field: String, _ set: ResourceSet, entry: (EncodedResource) -> String
  ) -> String {
    let items = set.sortedResources.map(entry).joined(separator: ",")
    return "{\"@type\":\(quote("type.googleapis.com/" + type)),\"\(field)\":[\(items)]}"
  }

  private func json(_ resource: EncodedResource) -> String {
    var options = JSONEncodingOptions()
    options.preserveProtoFieldNames = true
    options.useDeterministicOrdering = true
    return (try? resource.any.jsonString(options: options)) ?? "null"
  }

  /// A JSON string literal, escaped by the same serializer the admin API uses.
  private func quote(_ text: String) -> String {
    JSONValue.string(text).serialized()
  }
}

/// JSON for `Any` needs the packed message types registered with SwiftProtobuf.
enum AnyTypeRegistry {
  private static let registered: Bool = {
    let types: [any SwiftProtobuf.Message.Type] = [
      Envoy_Config_Cluster_V3_Cluster.self,
      Envoy_Config_Endpoint_V3_ClusterLoadAssignment.self,
      Envoy_Config_Listener_V3_Listener.self,
      Envoy_Config_Route_V3_RouteConfiguration.self,
      Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager.self,
      Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy.self,
      Envoy_Extensions_Filters_Http_Router_V3_Router.self,
      Envoy_Extensions_Filters_Http_Fault_V3_HTTPFault.self,
      Envoy_Extensions_Filters_Listener_OriginalDst_V3_OriginalDst.self,
      Envoy_Extensions_Filters_Http_Cors_V3_Cors.self,
      Envoy_Extensions_Filters_Http_Cors_V3_CorsPolicy.self,
      Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions.self,
      Envoy_Extensions_Clusters_Dns_V3_DnsCluster.self,
      Envoy_Extensions_Filters_Network_DubboProxy_V3_DubboProxy.self,
      Envoy_Extensions_Filters_Network_DubboProxy_V3_MultipleRouteConfiguration.self,
      Envoy_Extensions_Filters_Network_DubboProxy_Router_V3_Router.self,
      Envoy_Extensions_TransportSockets_Tls_V3_UpstreamTlsContext.self,
      Envoy_Extensions_TransportSockets_Tls_V3_DownstreamTlsContext.self,
      Envoy_Extensions_Filters_Listener_TlsInspector_V3_TlsInspector.self,
    ]
    for type in types { Google_Protobuf_Any.register(messageType: type) }
    return true
  }()

  static func ensureRegistered() { _ = registered }
}
