import FairwayMesh
import FairwayProto
import FairwayResources
import SwiftProtobuf

/// Builds a gateway proxy's (`router~` node's) listeners and routes from the Gateways that
/// select it and the VirtualServices bound to them, named as istiod names them:
///
/// - one listener per port, `0.0.0.0_PORT` (`BIND_PORT` with `bind`), on the server's
///   `targetPort` when it has one;
/// - plain HTTP servers of a port share one HttpConnectionManager and the route config
///   `http.PORT`; `httpsRedirect` makes their virtual hosts `require_tls: ALL`;
/// - HTTPS servers (SIMPLE, MUTUAL) get a filter chain each, matched by SNI on their hosts, with
///   a DownstreamTlsContext and the route config `https.PORT.PORTNAME.GATEWAY.NAMESPACE`;
/// - PASSTHROUGH servers get one chain per `tls:` route of the bound VirtualServices, matched
///   by its SNI hosts, proxied as TCP; TCP servers proxy to the first applicable `tcp:` route;
/// - virtual hosts are `HOST:PORT` with domains `HOST` and `HOST:*`; several VirtualServices
///   for one host on a gateway are merged (routes in creation order, catch-all routes last,
///   as istiod's `CombineVHostRoutes`).
struct GatewayBuilder: Sendable {
  typealias Listener = Envoy_Config_Listener_V3_Listener
  typealias FilterChain = Envoy_Config_Listener_V3_FilterChain
  typealias RouteConfiguration = Envoy_Config_Route_V3_RouteConfiguration
  typealias HCM = ListenerBuilder.HCM
  typealias TCPProxy = Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy

  let index: MeshIndex
  let view: ProxyView

  /// One server of a selected Gateway, with what translation needs resolved.
  struct BoundServer: Sendable {
    let gateway: TypedConfig<Gateway>
    let server: GatewayServer
    /// The server's port number (names, `match.port`).
    let number: UInt32
    /// The port the listener binds.
    let listenerPort: UInt32
    let bind: String
    let proto: String
    let mode: String

    var terminatesTLS: Bool { mode == "SIMPLE" || mode == "MUTUAL" }
    var isHTTPS: Bool { proto == "HTTPS" && terminatesTLS }
    var isPlainHTTP: Bool { ["HTTP", "HTTP2", "GRPC"].contains(proto) }
    var isPassthrough: Bool { (proto == "HTTPS" || proto == "TLS") && mode == "PASSTHROUGH" }
    /// Istio's listener protocol classes: servers of a port must share one.
    var listenerClass: Int { isPlainHTTP ? 0 : (proto == "HTTPS" || proto == "TLS") ? 1 : 2 }

    /// istiod's `gatewayRDSRouteName`.
    var routeName: String {
      if isPlainHTTP { return "http.\(number)" }
      return "https.\(number).\(server.port?.name ?? "").\(gateway.name).\(gateway.namespace)"
    }
  }

  /// What a gateway proxy receives.
  struct Output: Sendable {
    var listeners: [Listener] = []
    var routes: [RouteConfigResult] = []
  }

  /// The servers of every Gateway selecting this proxy, in key order of the Gateways.
  func servers() -> [BoundServer] {
    index.gatewayIndex.gateways(selecting: view.labels).flatMap { gateway in
      (gateway.spec.servers ?? []).compactMap { server -> BoundServer? in
        guard let written = server.port?.number, let number = MeshPort.validPort(written),
          let proto = server.port?.protocol?.uppercased()
        else { return nil }
        let listenerPort = server.port?.targetPort.flatMap(MeshPort.validPort) ?? number
        let bind = server.bind.flatMap { $0.isEmpty ? nil : $0 } ?? "0.0.0.0"
        return BoundServer(
          gateway: gateway, server: server, number: number, listenerPort: listenerPort,
          bind: bind, proto: proto, mode: server.tls?.mode?.uppercased() ?? "PASSTHROUGH")
      }
    }
  }

  func build() -> Output {
    var output = Output()
    var byListener: [String: [BoundServer]] = [:]
    for server in servers() {
      byListener[ListenerBuilder.listenerName(server.bind, server.listenerPort), default: []]
        .append(server)
    }
    for name in byListener.keys.sorted() {
      guard let all = byListener[name], let first = all.first else { continue }
      // As istiod: a port serves one protocol class; conflicting servers are dropped.
      let servers = all.filter { $0.listenerClass == first.listenerClass }
      var listener = Listener()
      listener.name = name
      listener.address = ListenerBuilder.socketAddress(first.bind, first.listenerPort)
      listener.trafficDirection = .outbound
      var chains: [FilterChain] = []
      var seenMatches: Set<[String]> = []
      func add(_ chain: FilterChain) {
        // Envoy rejects two chains with the same match; the first server wins, as in istiod.
        let key =
          chain.filterChainMatch.serverNames.sorted() + [chain.filterChainMatch.transportProtocol]
        if seenMatches.insert(key).inserted { chains.append(chain) }
      }
      if first.isPlainHTTP {
        let routes = httpRouteConfig(name: first.routeName, servers: servers)
        output.routes.append(routes)
        add(hcmChain(routeName: routes.config.name, port: first.listenerPort, routes: routes))
      } else {
        for server in servers {
          if server.isHTTPS {
            let routes = httpRouteConfig(name: server.routeName, servers: [server])
            output.routes.append(routes)
            var chain = hcmChain(
              routeName: server.routeName, port: first.listenerPort, routes: routes)
            chain.filterChainMatch.serverNames = serverNames(server)
            if let tls = server.server.tls {
              chain.transportSocket = TLSContexts.downstream(tls, http: true)
            }
            add(chain)
          } else if server.isPassthrough {
            for chain in passthroughChains(server) { add(chain) }
          } else if server.terminatesTLS, let tls = server.server.tls {
            // TLS terminated here, then routed as TCP.
            guard var chain = tcpChain(server) else { continue }
            chain.filterChainMatch.serverNames = serverNames(server)
            chain.transportSocket = TLSContexts.downstream(tls, http: false)
            add(chain)
          } else if let chain = tcpChain(server) {
            add(chain)
          }
        }
      }
      guard !chains.isEmpty else { continue }
      listener.filterChains = chains
      if chains.contains(where: {
        !$0.filterChainMatch.serverNames.isEmpty || $0.hasTransportSocket
      }) {
        var inspector = Envoy_Config_Listener_V3_ListenerFilter()
        inspector.name = "envoy.filters.listener.tls_inspector"
        inspector.typedConfig = .packed(
          Envoy_Extensions_Filters_Listener_TlsInspector_V3_TlsInspector())
        listener.listenerFilters = [inspector]
      }
      output.listeners.append(listener)
    }
    return output
  }

  private func hcmChain(routeName: String, port: UInt32, routes: RouteConfigResult) -> FilterChain {
    var hcm = HCM()
    hcm.statPrefix = "outbound_0.0.0.0_\(port)"
    hcm.rds.configSource = ClusterBuilder.adsConfigSource()
    hcm.rds.routeConfigName = routeName
    // The gateway is the edge: the client's address is the downstream peer, as in Istio.
    hcm.useRemoteAddress = Google_Protobuf_BoolValue(true)
    hcm.httpFilters = HTTPFilters.chain(fault: routes.usesFault, cors: routes.usesCors)
    return ListenerBuilder.filterChain(hcm: hcm)
  }

  /// The DNS names of a server's hosts (namespace part dropped); none when one is `*`.
  func serverNames(_ server: BoundServer) -> [String] {
    let names = (server.server.hosts ?? []).map { Self.split($0).host }
    return names.contains("*") ? [] : Array(Set(names)).sorted()
  }

  // MARK: - Hosts

  /// A server host split into its namespace part (nil: any) and DNS name.
  static func split(_ written: String) -> (namespace: String?, host: String) {
    guard let slash = written.firstIndex(of: "/") else { return (nil, written) }
    return (String(written[..<slash]), String(written[written.index(after: slash)...]))
  }

  /// The names a bound VirtualService's `hosts` share with the server's hosts (the more
  /// specific of each pair), honouring the namespace part of each server host.
  func intersectingHosts(_ config: TypedConfig<VirtualService>, _ server: BoundServer) -> [String] {
    var result: [String] = []
    for written in server.server.hosts ?? [] {
      let (namespace, serverHost) = Self.split(written)
      switch namespace {
      case nil, "*"?: break
      case "."?: if config.namespace != server.gateway.namespace { continue }
      case "~"?: continue
      case let name?: if config.namespace != name { continue }
      }
      for vsHost in (config.spec.hosts ?? []).map({
        HostName.resolve($0, namespace: config.namespace)
      }) {
        if HostName.matches(pattern: serverHost, host: vsHost) {
          result.append(vsHost)
        } else if HostName.matches(pattern: vsHost, host: serverHost) {
          result.append(serverHost)
        }
      }
    }
    var seen: Set<String> = []
    return result.filter { seen.insert($0).inserted }
  }

  // MARK: - HTTP

  /// One route config for HTTP servers: a virtual host per host their bound VirtualServices
  /// route, merged across VirtualServices, in creation order.
  func httpRouteConfig(name: String, servers: [BoundServer]) -> RouteConfigResult {
    var config = RouteConfiguration()
    config.name = name
    config.validateClusters = Google_Protobuf_BoolValue(false)
    var hosts: [String: RouteBuilder.VirtualHost] = [:]
    var order: [String] = []
    var usesFault = false
    var usesCors = false
    for server in servers {
      let redirect = server.isPlainHTTP && server.server.tls?.httpsRedirect == true
      var builder = RouteBuilder(index: index, view: view)
      builder.gateway = server.gateway.key
      var serverHosts: [String] = []
      for virtualService in index.gatewayIndex.virtualServices(boundTo: server.gateway.key) {
        for host in intersectingHosts(virtualService, server) {
          let built = gatewayRoutes(
            virtualService, host: host, port: server.number, builder: builder)
          // As istiod: a VirtualService with nothing for this port adds no virtual host.
          guard !built.routes.isEmpty else { continue }
          usesFault = usesFault || built.usesFault
          usesCors =
            usesCors
            || built.routes.contains { $0.typedPerFilterConfig[HTTPFilters.corsName] != nil }
          serverHosts.append(host)
          if var existing = hosts[host] {
            existing.routes = Self.combine(existing.routes, built.routes)
            hosts[host] = existing
          } else {
            var virtualHost = RouteBuilder.VirtualHost()
            virtualHost.name = "\(host):\(server.number)"
            virtualHost.domains = host == "*" ? ["*"] : [host, "\(host):*"]
            virtualHost.routes = built.routes
            hosts[host] = virtualHost
            order.append(host)
          }
        }
      }
      if redirect {
        // istiod redirects every host of the server, routed or not.
        for written in server.server.hosts ?? [] {
          let host = Self.split(written).host
          if hosts[host] == nil {
            var virtualHost = RouteBuilder.VirtualHost()
            virtualHost.name = "\(host):\(server.number)"
            virtualHost.domains = host == "*" ? ["*"] : [host, "\(host):*"]
            hosts[host] = virtualHost
            order.append(host)
          }
          serverHosts.append(host)
        }
        for host in serverHosts { hosts[host]?.requireTls = .all }
      }
    }
    config.virtualHosts = order.compactMap { hosts[$0] }
    if config.virtualHosts.isEmpty {
      config.virtualHosts = [Self.blackholeHost(port: servers.first?.number ?? 0)]
    }
    return RouteConfigResult(config: config, usesFault: usesFault, usesCors: usesCors)
  }

  /// The routes of one bound VirtualService for `host` on a gateway port.
  private func gatewayRoutes(
    _ config: TypedConfig<VirtualService>, host: String, port number: UInt32,
    builder: RouteBuilder
  ) -> (routes: [RouteBuilder.Route], usesFault: Bool) {
    guard let (placeholder, port) = Self.placeholder(host: host, port: number, config: config)
    else { return ([], false) }
    return builder.routes(
      from: config, service: index.service(host: host) ?? placeholder, port: port)
  }

  /// The service a gateway route is built against when its host is only the gateway's name for
  /// the destinations (they name the real services), and the server port as a service port:
  /// destinations without a port of their own fall back to it.
  private static func placeholder(
    host: String, port number: UInt32, config: TypedConfig<VirtualService>
  )
    -> (MeshService, MeshPort)?
  {
    guard let port = MeshPort(ServicePort(number: Int(number), protocol: "HTTP")) else {
      return nil
    }
    let service = MeshService(
      host: host, namespace: config.namespace, source: config.key, ports: [port], addresses: [],
      resolution: .none, visibility: Visibility(exportTo: nil, namespace: ""), endpoints: [],
      workloadSelector: [:])
    return (service, port)
  }

  /// istiod's `CombineVHostRoutes`: concatenated, catch-all routes moved to the end (keeping
  /// their order), so a later VirtualService's specific routes are not shadowed.
  static func combine(_ first: [RouteBuilder.Route], _ second: [RouteBuilder.Route])
    -> [RouteBuilder.Route]
  {
    let all = first + second
    return all.filter { !isCatchAll($0) } + all.filter(isCatchAll)
  }

  static func isCatchAll(_ route: RouteBuilder.Route) -> Bool {
    guard route.match.headers.isEmpty, route.match.queryParameters.isEmpty else { return false }
    switch route.match.pathSpecifier {
    case .prefix(let prefix)?: return prefix == "/"
    case .safeRegex(let regex)?: return regex.regex == "*" || regex.regex == ".*"
    default: return false
    }
  }

  /// istiod's answer for a port with nothing routed: 404 for every host.
  static func blackholeHost(port: UInt32) -> RouteBuilder.VirtualHost {
    var host = RouteBuilder.VirtualHost()
    host.name = "blackhole:\(port)"
    host.domains = ["*"]
    var route = RouteBuilder.Route()
    route.name = "default"
    route.match.prefix = "/"
    var response = Envoy_Config_Route_V3_DirectResponseAction()
    response.status = 404
    route.directResponse = response
    host.routes = [route]
    return host
  }

  // MARK: - TCP and TLS passthrough

  /// One chain per SNI match of the bound VirtualServices' `tls:` routes.
  func passthroughChains(_ server: BoundServer) -> [FilterChain] {
    var chains: [FilterChain] = []
    for config in index.gatewayIndex.virtualServices(boundTo: server.gateway.key) {
      let hosts = intersectingHosts(config, server)
      guard !hosts.isEmpty else { continue }
      for route in config.spec.tls ?? [] {
        for match in route.match ?? [] {
          guard match.port.map({ $0 == Int(server.number) }) ?? true,
            matchesGateway(match.gateways, server: server, writtenIn: config.namespace),
            (match.sourceLabels ?? [:]).allSatisfy({ view.labels[$0.key] == $0.value })
          else { continue }
          // The SNI names this route takes that the server exposes.
          let names = (match.sniHosts ?? []).filter { sni in
            hosts.contains {
              HostName.matches(pattern: $0, host: sni) || HostName.matches(pattern: sni, host: $0)
            }
          }
          guard !names.isEmpty,
            let proxy = tcpProxy(route.route, config: config, server: server)
          else { continue }
          var chain = ListenerBuilder.filterChain(tcpProxy: proxy)
          chain.filterChainMatch.serverNames = names
          chains.append(chain)
        }
      }
    }
    return chains
  }

  /// A chain proxying to the first applicable `tcp:` route of the bound VirtualServices.
  func tcpChain(_ server: BoundServer) -> FilterChain? {
    for config in index.gatewayIndex.virtualServices(boundTo: server.gateway.key)
    where !intersectingHosts(config, server).isEmpty {
      for route in config.spec.tcp ?? [] {
        let matches = route.match ?? []
        let applies =
          matches.isEmpty
          || matches.contains { match in
            (match.port.map { $0 == Int(server.number) } ?? true)
              && matchesGateway(match.gateways, server: server, writtenIn: config.namespace)
              && (match.sourceLabels ?? [:]).allSatisfy { view.labels[$0.key] == $0.value }
          }
        guard applies, let proxy = tcpProxy(route.route, config: config, server: server) else {
          continue
        }
        return ListenerBuilder.filterChain(tcpProxy: proxy)
      }
    }
    return nil
  }

  private func matchesGateway(
    _ gateways: [String]?, server: BoundServer, writtenIn namespace: String
  )
    -> Bool
  {
    guard let gateways, !gateways.isEmpty else { return true }
    return GatewayIndex.names(gateways, server.gateway.key, in: namespace)
  }

  /// A TCP proxy to a route's destinations (weighted when several).
  private func tcpProxy(
    _ destinations: [RouteDestination]?, config: TypedConfig<VirtualService>, server: BoundServer
  ) -> TCPProxy? {
    guard let (placeholder, port) = Self.placeholder(host: "", port: server.number, config: config)
    else { return nil }
    let builder = RouteBuilder(index: index, view: view)
    let targets = (destinations ?? []).compactMap { destination -> (String, UInt32)? in
      guard let target = destination.destination,
        let resolved = builder.resolve(
          target, namespace: config.namespace, service: placeholder, port: port)
      else { return nil }
      return (resolved.cluster, destination.weight.map { UInt32(clamping: max($0, 0)) } ?? 100)
    }
    var proxy = TCPProxy()
    guard ListenerBuilder.route(&proxy, to: targets) else { return nil }
    proxy.statPrefix =
      proxy.cluster.isEmpty ? proxy.weightedClusters.clusters[0].name : proxy.cluster
    return proxy
  }
}
