import FairwayMesh
import FairwayProto
import SwiftProtobuf

extension ListenerBuilder {
  /// HTTP ports win a port shared with other services (they can tell services apart by host),
  /// then Dubbo ports (by interface); TCP services with virtual IPs get a listener per IP,
  /// others share `0.0.0.0_PORT`, first host wins. MOSN's Dubbo listeners are static in its
  /// own config and only take routes from us, so it gets none for Dubbo ports.
  func outboundListeners() -> [Listener] {
    var httpPorts: Set<UInt32> = []
    var dubboPorts: Set<UInt32> = []
    var tcpByPort: [UInt32: (MeshService, MeshPort)] = [:]
    var tcpByAddress: [String: (address: String, service: MeshService, port: MeshPort)] = [:]
    for service in index.visibleServices(for: view) {
      for port in service.ports {
        if port.proto.isHTTP {
          httpPorts.insert(port.number)
          continue
        }
        if port.proto.isDubbo {
          if view.client != .mosn { dubboPorts.insert(port.number) }
          continue
        }
        // Without interception nothing sends a service's virtual IP to the proxy, and the
        // proxy could not bind it: such TCP ports share the loopback listener of their port.
        let ips =
          view.interceptionMode.bindsPorts ? [] : service.addresses.filter(HostName.isIPAddress)
        if ips.isEmpty {
          if tcpByPort[port.number] == nil { tcpByPort[port.number] = (service, port) }
        } else {
          for ip in ips where tcpByAddress[Self.listenerName(ip, port.number)] == nil {
            tcpByAddress[Self.listenerName(ip, port.number)] = (ip, service, port)
          }
        }
      }
    }
    var byName: [String: Listener] = [:]
    for number in httpPorts {
      let listener = httpListener(port: number)
      byName[listener.name] = listener
    }
    for number in dubboPorts where !httpPorts.contains(number) {
      let listener = dubboListener(port: number)
      byName[listener.name] = listener
    }
    for (number, entry) in tcpByPort
    where !httpPorts.contains(number) && !dubboPorts.contains(number) {
      let listener = tcpListener(address: outboundBindAddress, service: entry.0, port: entry.1)
      byName[listener.name] = listener
    }
    for (name, entry) in tcpByAddress where byName[name] == nil {
      byName[name] = tcpListener(address: entry.address, service: entry.service, port: entry.port)
    }
    return byName.keys.sorted().compactMap { byName[$0] }
  }

  static func listenerName(_ address: String, _ port: UInt32) -> String { "\(address)_\(port)" }

  func httpListener(port: UInt32) -> Listener {
    var listener = baseListener(address: outboundBindAddress, port: port, direction: .outbound)
    var hcm = HCM()
    hcm.statPrefix = "outbound_\(outboundBindAddress)_\(port)"
    hcm.rds.configSource = ClusterBuilder.adsConfigSource()
    hcm.rds.routeConfigName = String(port)
    // A VHDS view's listeners cannot depend on its routes (a route change must push only
    // virtual hosts), so they always carry the fault and CORS filters.
    let vhds = view.routeDelivery.usesVHDS
    hcm.httpFilters = HTTPFilters.chain(
      fault: vhds || faultRouteConfigs.contains(String(port)),
      cors: vhds || corsRouteConfigs.contains(String(port)),
      onDemand: view.routeDelivery == .onDemand)
    listener.filterChains = [Self.filterChain(hcm: hcm)]
    return listener
  }

  func dubboListener(port: UInt32) -> Listener {
    var listener = baseListener(address: outboundBindAddress, port: port, direction: .outbound)
    listener.filterChains = [Self.filterChain(dubboProxy: DubboFilters.outbound(port: port))]
    return listener
  }

  func tcpListener(address: String, service: MeshService, port: MeshPort) -> Listener {
    var listener = baseListener(address: address, port: port.number, direction: .outbound)
    listener.filterChains = [Self.filterChain(tcpProxy: tcpProxy(service: service, port: port))]
    return listener
  }

  /// The first VirtualService tcp route for the port, else the service-wide cluster.
  func tcpProxy(service: MeshService, port: MeshPort)
    -> Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy
  {
    var proxy = Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy()
    let fallback = ClusterName.outbound(port: port.number, host: service.host)
    proxy.statPrefix = fallback
    proxy.cluster = fallback
    guard let config = index.virtualService(host: service.host, proxyNamespace: view.namespace)
    else { return proxy }
    let routeBuilder = RouteBuilder(index: index, view: view)
    for route in config.spec.tcp ?? [] {
      let matches = route.match ?? []
      let applies =
        matches.isEmpty
        || matches.contains { match in
          (match.port == nil || match.port == Int(port.number))
            && (match.sourceLabels ?? [:]).allSatisfy { view.labels[$0.key] == $0.value }
            && (match.sourceNamespace == nil || match.sourceNamespace == view.namespace)
        }
      guard applies else { continue }
      let targets = (route.route ?? []).compactMap { destination -> (String, UInt32)? in
        guard let target = destination.destination,
          let resolved = routeBuilder.resolve(
            target, namespace: config.namespace, service: service, port: port)
        else { return nil }
        let weight = destination.weight.map { UInt32(clamping: max($0, 0)) } ?? 100
        return (resolved.cluster, weight)
      }
      guard Self.route(&proxy, to: targets) else { continue }
      return proxy
    }
    return proxy
  }

  /// Points a TCP proxy at weighted `(cluster, weight)` targets: weight-0 targets dropped (a
  /// lone one kept), one cluster alone, several as weighted clusters. False when none is left.
  static func route(
    _ proxy: inout Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy,
    to targets: [(String, UInt32)]
  ) -> Bool {
    let live = targets.count == 1 ? targets : targets.filter { $0.1 > 0 }
    guard let first = live.first else { return false }
    if live.count == 1 {
      proxy.cluster = first.0
    } else {
      typealias Weighted = Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy.WeightedCluster
      var weighted = Weighted()
      let weights = RouteBuilder.fittingWeights(live.map(\.1))
      weighted.clusters = zip(live, weights).map { target, weight in
        var entry = Weighted.ClusterWeight()
        entry.name = target.0
        entry.weight = weight
        return entry
      }
      proxy.weightedClusters = weighted
    }
    return true
  }
}
