import FairwayMesh
import FairwayProto
import FairwayResources
import SwiftProtobuf

/// Builds a sidecar's listeners: one outbound listener per port (HTTP ports share an RDS
/// route config named after the port, TCP ports proxy to the service's cluster). Behind
/// iptables, `virtualOutbound` (15001) hands connections to those by original destination and
/// `virtualInbound` (15006) serves the workload's ports as filter chains; without interception
/// each inbound port is a bound listener `inbound|PORT||`.
struct ListenerBuilder: Sendable {
  typealias Listener = Envoy_Config_Listener_V3_Listener
  typealias HCM = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager

  static let virtualOutboundName = "virtualOutbound"
  static let virtualInboundName = "virtualInbound"
  static let virtualOutboundPort: UInt32 = 15001
  static let virtualInboundPort: UInt32 = 15006

  let index: MeshIndex
  let view: ProxyView
  /// Route configs whose routes inject faults.
  let faultRouteConfigs: Set<String>
  /// Route configs whose routes carry CORS policies.
  var corsRouteConfigs: Set<String> = []

  /// What depends on this very proxy (its IP and labels) rather than on its namespace;
  /// `inbound` is `InboundBuilder.instances()` for it.
  func inboundAndCaptureListeners(_ inbound: [InboundBuilder.Instance]) -> [Listener] {
    guard view.kind == .sidecar else { return [] }
    guard view.interceptionMode != .none else {
      // Nothing redirects connections: each inbound port is a listener of its own. MOSN's
      // Dubbo ingress is a static listener of its own config on that very port. A port whose
      // application listens on it itself gets none (as in Istio without Sidecar ingress): a
      // listener there would be its own upstream, one call looping until Envoy gives up.
      let served = inbound.filter {
        $0.forwardsToAnotherPort && !($0.port.proto.isDubbo && view.client == .mosn)
      }
      return served.map { instance in
        var listener = baseListener(
          address: inboundBindAddress, port: instance.inboundPort, direction: .inbound)
        listener.name = ClusterName.inbound(port: instance.inboundPort)
        listener.filterChains = [inboundFilterChain(instance)]
        return listener
      }
    }
    // Under a Sidecar's REGISTRY_ONLY, what no listener matches goes nowhere (istiod's
    // BlackHoleCluster chain) instead of through to its original destination.
    var outbound = Self.captureListener(
      name: Self.virtualOutboundName, port: Self.virtualOutboundPort, direction: .outbound,
      fallback: index.sidecarScope(for: view)?.registryOnly == true
        ? ClusterName.blackHole : ClusterName.passthrough)
    outbound.useOriginalDst = Google_Protobuf_BoolValue(true)
    // Inbound connections are served right here, one filter chain per workload port matched by
    // original destination port. Handing them off instead could land them on an outbound
    // `0.0.0.0_PORT` listener of the same port.
    var inboundListener = Self.captureListener(
      name: Self.virtualInboundName, port: Self.virtualInboundPort, direction: .inbound)
    inboundListener.defaultFilterChain = inboundListener.filterChains[0]
    inboundListener.filterChains = inbound.map { instance in
      var chain = inboundFilterChain(instance)
      chain.filterChainMatch.destinationPort = Google_Protobuf_UInt32Value(instance.inboundPort)
      return chain
    }
    return [outbound, inboundListener]
  }

  /// The workload side of one inbound port: HTTP through a router to `inbound|PORT||`, anything
  /// else proxied as TCP to it.
  func inboundFilterChain(_ instance: InboundBuilder.Instance)
    -> Envoy_Config_Listener_V3_FilterChain
  {
    let cluster = ClusterName.inbound(port: instance.inboundPort)
    var chain: Envoy_Config_Listener_V3_FilterChain
    if instance.port.proto.isHTTP {
      var hcm = HCM()
      hcm.statPrefix = cluster
      var config = Envoy_Config_Route_V3_RouteConfiguration()
      config.name = cluster
      var host = Envoy_Config_Route_V3_VirtualHost()
      host.name = "inbound|http|\(instance.inboundPort)"
      host.domains = ["*"]
      var route = Envoy_Config_Route_V3_Route()
      route.name = "default"
      route.match.prefix = "/"
      route.route.cluster = cluster
      route.route.timeout = Google_Protobuf_Duration(seconds: 0)
      host.routes = [route]
      config.virtualHosts = [host]
      hcm.routeConfig = config
      hcm.httpFilters = HTTPFilters.chain(fault: false)
      chain = Self.filterChain(hcm: hcm)
    } else if instance.port.proto.isDubbo, view.client != .mosn {
      chain = Self.filterChain(dubboProxy: DubboFilters.inbound(cluster: cluster))
    } else {
      var proxy = Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy()
      proxy.statPrefix = cluster
      proxy.cluster = cluster
      chain = Self.filterChain(tcpProxy: proxy)
    }
    chain.name = cluster
    return chain
  }

  /// Without interception, Envoy binds outbound listeners on loopback, as Istio's Sidecar
  /// egress `bind: 127.0.0.1` does: the applications dial 127.0.0.1:PORT, and a port the pod's
  /// own application listens on elsewhere does not make the whole LDS update fail. MOSN keeps
  /// its wildcard listeners (its Dubbo demo dials them as they are).
  var outboundBindAddress: String {
    view.interceptionMode.bindsPorts && view.client == .envoy ? "127.0.0.1" : "0.0.0.0"
  }

  /// Without interception, Envoy's inbound listeners bind the pod's own address (Istio binds
  /// the instance IP), so they leave 127.0.0.1:PORT, where the application listens, free.
  var inboundBindAddress: String {
    guard view.client == .envoy, let ip = view.ipAddresses.first(where: HostName.isIPAddress)
    else { return "0.0.0.0" }
    return ip
  }

  /// Ports no loopback outbound listener may take without interception: the application's
  /// own ports (it listens on 127.0.0.1 or the wildcard), and the inbound ports when those
  /// bind the wildcard.
  func reservedPorts(_ instances: [InboundBuilder.Instance]) -> Set<UInt32> {
    guard view.interceptionMode.bindsPorts else { return [] }
    guard view.client == .envoy else {
      // MOSN: its own inbound listeners (its Dubbo ingress is static in its config).
      return Set(instances.filter { !$0.port.proto.isDubbo }.map(\.inboundPort))
    }
    var ports = Set(instances.map(\.applicationPort))
    if inboundBindAddress == "0.0.0.0" { ports.formUnion(instances.map(\.inboundPort)) }
    return ports
  }

  func baseListener(address: String, port: UInt32, direction: Envoy_Config_Core_V3_TrafficDirection)
    -> Listener
  {
    var listener = Listener()
    listener.name = Self.listenerName(address, port)
    listener.address = Self.socketAddress(address, port)
    listener.trafficDirection = direction
    if !view.interceptionMode.bindsPorts {
      // iptables hands connections over through virtualOutbound/virtualInbound.
      listener.bindToPort = Google_Protobuf_BoolValue(false)
    }
    return listener
  }

  /// A listener for what iptables captured: it recovers the original destination; unknown
  /// destinations pass through to it.
  static func captureListener(
    name: String, port: UInt32, direction: Envoy_Config_Core_V3_TrafficDirection,
    fallback: String = ClusterName.passthrough
  ) -> Listener {
    var listener = Listener()
    listener.name = name
    listener.address = socketAddress("0.0.0.0", port)
    listener.trafficDirection = direction
    var filter = Envoy_Config_Listener_V3_ListenerFilter()
    filter.name = "envoy.filters.listener.original_dst"
    filter.typedConfig = .packed(Envoy_Extensions_Filters_Listener_OriginalDst_V3_OriginalDst())
    listener.listenerFilters = [filter]
    var proxy = Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy()
    proxy.statPrefix = fallback
    proxy.cluster = fallback
    var chain = filterChain(tcpProxy: proxy)
    chain.name = fallback
    listener.filterChains = [chain]
    return listener
  }

  static func socketAddress(_ address: String, _ port: UInt32) -> Envoy_Config_Core_V3_Address {
    var socket = Envoy_Config_Core_V3_SocketAddress()
    socket.address = address
    socket.portValue = port
    var out = Envoy_Config_Core_V3_Address()
    out.socketAddress = socket
    return out
  }

  static func filterChain(hcm: HCM) -> Envoy_Config_Listener_V3_FilterChain {
    filterChain("envoy.filters.network.http_connection_manager", hcm)
  }

  static func filterChain(dubboProxy: DubboFilters.DubboProxy)
    -> Envoy_Config_Listener_V3_FilterChain
  {
    filterChain(DubboFilters.proxyName, dubboProxy)
  }

  static func filterChain(tcpProxy: Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy)
    -> Envoy_Config_Listener_V3_FilterChain
  {
    filterChain("envoy.filters.network.tcp_proxy", tcpProxy)
  }

  /// A chain of one network filter.
  private static func filterChain(_ name: String, _ config: some SwiftProtobuf.Message)
    -> Envoy_Config_Listener_V3_FilterChain
  {
    var filter = Envoy_Config_Listener_V3_Filter()
    filter.name = name
    filter.typedConfig = .packed(config)
    var chain = Envoy_Config_Listener_V3_FilterChain()
    chain.filters = [filter]
    return chain
  }
}
