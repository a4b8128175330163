import FairwayMesh
import FairwayProto
import FairwayResources

extension MeshTranslator {
  /// Sidecar route configs for the view's outbound key, shared by its LDS (which filters the
  /// HttpConnectionManagers need) and RDS. Each service's virtual host is taken from the
  /// previous translation when what it depends on is unchanged (`VirtualHostDependencies`), so
  /// after a VirtualService change only the hosts it routes are built and encoded again; the
  /// configurations are then concatenations of encoded hosts.
  func sidecarRouteConfigs(view: ProxyView, key: OutboundKey) -> [SidecarRouteConfig] {
    guard view.kind == .sidecar, view.client != .grpc else { return [] }
    if let cached = caches.withLock({ $0.routeConfigs[key] }) { return cached }
    // Every stream of a push asks at the same moment (full RDS, LDS filters, VHDS catalogs):
    // without the lock both cores built the same configs side by side, 14-16 ms of CPU per
    // VirtualService change at 1,000 services instead of 5-8, while the push waited.
    return routeConfigBuilds.held(key) {
      if let cached = caches.withLock({ $0.routeConfigs[key] }) { return cached }
      return buildSidecarRouteConfigs(view: view, key: key)
    }
  }

  private func buildSidecarRouteConfigs(view: ProxyView, key: OutboundKey) -> [SidecarRouteConfig] {
    let builder = RouteBuilder(index: index, view: view)
    let dubboRules = DubboRuleBuilder(index: index, view: view)
    let previous = carriedVirtualHosts.byOutboundKey[key] ?? [:]
    var fresh: [VirtualHostKey: EncodedVirtualHost] = [:]
    fresh.reserveCapacity(previous.count)
    var encodedCount = 0
    let plans = carriedVirtualHosts.plans[key] ?? builder.sidecarRoutePlans()
    let built = plans.map { plan in
      var hosts: [EncodedVirtualHost] = []
      hosts.reserveCapacity(plan.hosts.count)
      for planned in plan.hosts {
        switch planned {
        case .allowAny:
          if let host = EncodedVirtualHost.allowAny { hosts.append(host) }
        case .blockAll:
          if let host = EncodedVirtualHost.blockAll { hosts.append(host) }
        case .dubbo(let planned, let port):
          let service = index.service(host: planned.host) ?? planned
          let host = MOSNDubboRoutes.virtualHost(
            service: service, port: port, rules: dubboRules.rules(service: service, port: port))
          if let encoded = EncodedVirtualHost(host, usesFault: false, dependencies: nil) {
            hosts.append(encoded)
          }
        case .service(let planned, let port, let domains):
          // A carried plan may hold a service a patch has since re-resolved: take this index's.
          let service = index.service(host: planned.host) ?? planned
          let slot = VirtualHostKey(port: port.number, host: service.host)
          let dependencies = VirtualHostDependencies(service: service, builder: builder)
          if let reused = previous[slot], reused.domains == domains,
            reused.dependencies == dependencies
          {
            fresh[slot] = reused
            hosts.append(reused)
            continue
          }
          let host = builder.virtualHost(service: service, port: port, domains: domains)
          guard
            let encoded = EncodedVirtualHost(
              host.host, usesFault: host.usesFault, dependencies: dependencies)
          else { continue }
          encodedCount += 1
          fresh[slot] = encoded
          hosts.append(encoded)
        }
      }
      return SidecarRouteConfig(name: plan.name, virtualHosts: hosts)
    }
    return caches.withLock { caches in
      caches.routeConfigs[key] = built
      caches.virtualHosts.byOutboundKey[key] = fresh
      caches.virtualHosts.plans[key] = plans
      caches.encodedVirtualHostCount += encodedCount
      return built
    }
  }

  /// Encoded virtual hosts for the next translation: this one's, and the previous ones' for
  /// outbound keys this one did not build.
  var virtualHostsToCarry: VirtualHostTable {
    carriedVirtualHosts.merging(caches.withLock { $0.virtualHosts })
  }

  /// The virtual hosts of the sidecar route configuration `routeConfig` (`"8080"`) that
  /// `proxy` is sent, in their order there; empty when it gets no such configuration. They
  /// are shared by every proxy with the same outbound key and, while unchanged, by later
  /// translations, so their bytes can be sent as VHDS `VirtualHost` resources as they are.
  package func encodedVirtualHosts(for proxy: Proxy, routeConfig: String) -> [EncodedVirtualHost] {
    let view = proxy.view
    let configs = sidecarRouteConfigs(view: view, key: OutboundKey(view: view, index: index))
    return configs.first { $0.name == routeConfig }?.virtualHosts ?? []
  }

  /// The virtual host of `routeConfig` that answers to `domain` exactly (`*` names the
  /// catch-all), as Envoy's on-demand VHDS asks for `ROUTE_CONFIG/DOMAIN`; nil when none does.
  /// A linear search: callers serving many lookups should index `encodedVirtualHosts`.
  package func encodedVirtualHost(for proxy: Proxy, routeConfig: String, domain: String)
    -> EncodedVirtualHost?
  {
    encodedVirtualHosts(for: proxy, routeConfig: routeConfig).first { $0.domains.contains(domain) }
  }

  /// How many sidecar virtual hosts this translation built and encoded itself, rather than
  /// taking them from the previous one.
  package var encodedVirtualHostCount: Int {
    caches.withLock { $0.encodedVirtualHostCount }
  }
}

extension MeshTranslator {
  /// The sidecar route configurations `proxy` gets, built as whole messages with every virtual
  /// host built afresh (how they were built before hosts were cached): the reference the
  /// assembled configurations are checked against.
  package func sidecarRouteConfigurationMessages(for proxy: Proxy)
    -> [Envoy_Config_Route_V3_RouteConfiguration]
  {
    let view = proxy.view
    guard view.kind == .sidecar, view.client != .grpc else { return [] }
    return RouteBuilder(index: index, view: view).sidecarRouteConfigMessages().map(\.config)
  }
}
