import FairwayMesh
import FairwayProto
import FairwayResources
import SwiftProtobuf

/// Builds RouteConfigurations for one proxy view: one virtual host per service host on a port,
/// VirtualService routes in order, or a default route to the service's cluster.
struct RouteBuilder: Sendable {
  typealias VirtualHost = Envoy_Config_Route_V3_VirtualHost
  typealias Route = Envoy_Config_Route_V3_Route

  let index: MeshIndex
  let view: ProxyView
  /// The Gateway whose routes are being built for a gateway proxy; nil for the mesh. It decides
  /// which matches apply (`match.gateways`).
  var gateway: ConfigKey? = nil

  var flavor: ClientFlavor { ClientFlavor(view.client) }

  /// What each sidecar route config holds, one per HTTP port in port order: its virtual hosts
  /// in order, with the domains each answers to (a domain already taken by an earlier host
  /// of the port is left out, Envoy rejects duplicates). Rendered as messages here
  /// (`sidecarRouteConfigMessages`) and from cached encoded hosts by the translator.
  func sidecarRoutePlans() -> [SidecarRoutePlan] {
    let mosnDubbo = view.client == .mosn
    var servicesByPort: [UInt32: [(MeshService, MeshPort)]] = [:]
    for service in index.visibleServices(for: view) {
      // MOSN takes its Dubbo routes in this same HTTP shape, named after the port too.
      for port in service.ports where port.proto.isHTTP || (mosnDubbo && port.proto.isDubbo) {
        servicesByPort[port.number, default: []].append((service, port))
      }
    }
    let registryOnly = index.sidecarScope(for: view)?.registryOnly == true
    return servicesByPort.keys.sorted().map { number in
      var hosts: [SidecarRoutePlan.Host] = []
      let services = servicesByPort[number] ?? []
      var usedDomains: Set<String> = []
      usedDomains.reserveCapacity(services.count * 8)
      for (service, port) in services {
        if port.proto.isDubbo {
          hosts.append(.dubbo(service, port))
          continue
        }
        let domains = sidecarDomains(service: service, port: port.number)
          .filter { usedDomains.insert($0).inserted }
        guard !domains.isEmpty else { continue }
        hosts.append(.service(service, port, domains: domains))
      }
      if view.interceptionMode != .none {
        // Unknown hosts: passed through (ALLOW_ANY) or refused under a REGISTRY_ONLY Sidecar.
        hosts.append(registryOnly ? .blockAll : .allowAny)
      }
      return SidecarRoutePlan(port: number, hosts: hosts)
    }
  }

  /// Sidecar route configs as whole messages, each virtual host built afresh: the reference
  /// the translator's assembly from cached encoded hosts must decode equal to.
  func sidecarRouteConfigMessages() -> [RouteConfigResult] {
    let dubboRules = DubboRuleBuilder(index: index, view: view)
    return sidecarRoutePlans().map { plan in
      var config = Envoy_Config_Route_V3_RouteConfiguration()
      config.name = plan.name
      config.validateClusters = Google_Protobuf_BoolValue(false)
      var usesFault = false
      var usesCors = false
      for planned in plan.hosts {
        switch planned {
        case .dubbo(let service, let port):
          config.virtualHosts.append(
            MOSNDubboRoutes.virtualHost(
              service: service, port: port, rules: dubboRules.rules(service: service, port: port)))
        case .service(let service, let port, let domains):
          let built = virtualHost(service: service, port: port, domains: domains)
          usesFault = usesFault || built.usesFault
          usesCors = usesCors || Self.usesCors(built.host)
          config.virtualHosts.append(built.host)
        case .allowAny:
          config.virtualHosts.append(Self.allowAnyVirtualHost())
        case .blockAll:
          config.virtualHosts.append(Self.blockAllVirtualHost())
        }
      }
      return RouteConfigResult(config: config, usesFault: usesFault, usesCors: usesCors)
    }
  }

  /// Some route of `host` has a CORS policy: the CORS filter must be in the chain.
  static func usesCors(_ host: VirtualHost) -> Bool {
    host.routes.contains { $0.typedPerFilterConfig[HTTPFilters.corsName] != nil }
  }

  /// The route config a proxyless gRPC client fetches for the target `HOST:PORT` it dialled;
  /// nil when no visible service answers to that name.
  func grpcRouteConfig(name: String) -> RouteConfigResult? {
    guard let (service, port) = resolveTarget(name) else { return nil }
    var config = Envoy_Config_Route_V3_RouteConfiguration()
    config.name = name
    var domains = [name]
    for domain in [service.host, "\(service.host):\(port.number)"] where !domains.contains(domain) {
      domains.append(domain)
    }
    let built = virtualHost(service: service, port: port, domains: domains)
    config.virtualHosts = [built.host]
    return RouteConfigResult(config: config, usesFault: built.usesFault)
  }

  /// Resolves a gRPC target `HOST:PORT` to a visible service port. Short names resolve the
  /// way Kubernetes DNS would from the client's namespace.
  func resolveTarget(_ name: String) -> (MeshService, MeshPort)? {
    guard let colon = name.lastIndex(of: ":"),
      let number = UInt32(name[name.index(after: colon)...])
    else { return nil }
    let host = String(name[..<colon])
    var candidates = [host]
    if !host.contains(".") {
      candidates.append("\(host).\(view.namespace).\(HostName.domainSuffix)")
    } else if host.split(separator: ".").count == 2 {
      candidates.append("\(host).\(HostName.domainSuffix)")
    } else if host.hasSuffix(".svc") {
      candidates.append("\(host).cluster.local")
    }
    for candidate in candidates {
      guard let service = index.service(host: candidate),
        index.isVisible(service, namespace: view.namespace, scope: index.sidecarScope(for: view)),
        let port = service.port(number)
      else { continue }
      return (service, port)
    }
    return nil
  }

  /// Host names a sidecar's applications use for a service, as Istio lists them: the host,
  /// Kubernetes short forms (`name` only from the same namespace), and virtual IPs; each alone
  /// and with the port.
  func sidecarDomains(service: MeshService, port: UInt32) -> [String] {
    var names = [service.host]
    if let kube = service.kubernetesName {
      if kube.namespace == view.namespace { names.append(kube.name) }
      names.append("\(kube.name).\(kube.namespace)")
      names.append("\(kube.name).\(kube.namespace).svc")
    }
    names += service.addresses.filter(HostName.isIPAddress)
    var domains: [String] = []
    for name in names {
      domains.append(name)
      // Only an IPv6 address has a colon; asking `isIPv6` of every host name cost more than
      // the rest of the route table (Foundation's `contains`).
      let ipv6 = name.utf8.contains(UInt8(ascii: ":")) && HostName.isIPv6(name)
      domains.append(ipv6 ? "[\(name)]:\(port)" : "\(name):\(port)")
    }
    return domains
  }

  func virtualHost(service: MeshService, port: MeshPort, domains: [String])
    -> (host: VirtualHost, usesFault: Bool)
  {
    var host = VirtualHost()
    host.name = "\(service.host):\(port.number)"
    host.domains = domains
    if let virtualService = routingVirtualService(host: service.host) {
      let built = routes(from: virtualService, service: service, port: port)
      // A VirtualService with nothing for this port (only tcp routes, or every match bound to
      // another port) leaves the port on the default route instead of answering 404.
      if !built.routes.isEmpty {
        host.routes = built.routes
        return (host, built.usesFault)
      }
    }
    host.routes = [defaultRoute(service: service, port: port)]
    return (host, false)
  }

  /// The VirtualService that routes `host` for this view. The one place the builder looks it
  /// up: `VirtualHostDependencies` records what it returns.
  func routingVirtualService(host: String) -> TypedConfig<VirtualService>? {
    index.virtualService(host: host, proxyNamespace: view.namespace)
  }

  /// Istio's route when no VirtualService applies: everything to the service-wide cluster.
  func defaultRoute(service: MeshService, port: MeshPort) -> Route {
    var route = Route()
    route.name = "default"
    route.match.prefix = "/"
    var action = Envoy_Config_Route_V3_RouteAction()
    action.cluster = ClusterName.outbound(port: port.number, host: service.host)
    if flavor == .sidecar {
      action.timeout = Google_Protobuf_Duration(seconds: 0)
      action.retryPolicy = Self.defaultRetryPolicy()
    }
    action.hashPolicy = hashPolicies(host: service.host, subset: nil, port: port.number)
    route.route = action
    return route
  }

  /// The catch-all that sends unknown hosts to their original destination (ALLOW_ANY).
  static func allowAnyVirtualHost() -> VirtualHost {
    var action = Envoy_Config_Route_V3_RouteAction()
    action.cluster = ClusterName.passthrough
    action.timeout = Google_Protobuf_Duration(seconds: 0)
    return catchAll("allow_any") { $0.route = action }
  }

  /// The catch-all under `REGISTRY_ONLY`: istiod's `block_all`, a 502 for any host the
  /// registry does not know.
  static func blockAllVirtualHost() -> VirtualHost {
    catchAll("block_all") { $0.directResponse.status = 502 }
  }

  /// A virtual host `name` for every domain with one route `name` on `/`, its action set by
  /// `action`.
  private static func catchAll(_ name: String, action: (inout Route) -> Void) -> VirtualHost {
    var host = VirtualHost()
    host.name = name
    host.domains = ["*"]
    var route = Route()
    route.name = name
    route.match.prefix = "/"
    action(&route)
    host.routes = [route]
    return host
  }

  /// Istio's retry policy for routes that do not configure retries.
  static func defaultRetryPolicy() -> Envoy_Config_Route_V3_RetryPolicy {
    var policy = Envoy_Config_Route_V3_RetryPolicy()
    policy.retryOn = defaultRetryOn
    policy.numRetries = Google_Protobuf_UInt32Value(2)
    policy.retriableStatusCodes = [503]
    policy.hostSelectionRetryMaxAttempts = 5
    return policy
  }

  static let defaultRetryOn =
    "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes"
}
