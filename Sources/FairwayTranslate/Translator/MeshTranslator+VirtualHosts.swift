import FairwayProto
import FairwayResources
import SwiftProtobuf

/// VHDS: route configurations without their virtual hosts, and the virtual hosts as resources.
///
/// On demand, Envoy asks for `PORT/HOST` with the Host header of a request its table cannot
/// route; the answer is a virtual host of that very name answering only that host (a copy of
/// the mesh's host it resolves to, or a passthrough when none: ALLOW_ANY). Naming each answer
/// after what was asked keeps the domains of a route table unique (two aliases of one service
/// are two virtual hosts with one domain each) and needs no alias bookkeeping in the stream:
/// the names a sidecar subscribes to are the resources it holds. Up front, a subscription to
/// the route configuration's name brings every mesh host of it, named `PORT/HOST:PORT` after
/// the full-RDS virtual host.
///
/// Envoy never sends the route configuration's name: its VHDS subscription starts as a
/// wildcard (no names; `*` here beside names), which brings every host up front and, on
/// demand, one `bodyless` `PORT/` entry per route configuration so that Envoy's VHDS finishes
/// initializing.
extension MeshTranslator {
  /// The route configs a VHDS view is sent: names and `vhds`, no mesh hosts. Up front they keep
  /// the catch-all passthrough inline; on demand they must not, or no host would ever be
  /// missing and the on-demand filter would never ask.
  func vhdsRouteConfigs(view: ProxyView, key: OutboundKey) -> [EncodedResource] {
    vhdsCatalog(view: view, key: key).configNames.compactMap { name in
      var config = Envoy_Config_Route_V3_RouteConfiguration()
      config.name = name
      config.validateClusters = Google_Protobuf_BoolValue(false)
      config.vhds.configSource = ClusterBuilder.adsConfigSource()
      if view.routeDelivery == .upFront {
        config.virtualHosts = [RouteBuilder.allowAnyVirtualHost()]
      }
      return Self.encode(name, .route, config)
    }
  }

  /// The virtual hosts a VHDS stream holds for its subscribed `names`: a route configuration's
  /// name brings all its hosts up front (none on demand); `PORT/HOST` brings that host.
  func virtualHosts(view: ProxyView, named names: Set<String>) -> [EncodedResource] {
    virtualHosts(view: view, key: OutboundKey(view: view, index: index), named: names)
  }

  /// The set a VHDS stream holds for `names`, shared by every stream of the outbound key that
  /// subscribes to the same names (replicas of a workload call the same hosts), so its order,
  /// version and pair sum are computed once per translation instead of per stream and push.
  func namedVirtualHosts(view: ProxyView, named names: ResourceNames) -> ResourceSet {
    let key = OutboundKey(view: view, index: index)
    return shared(.namedVirtualHosts(key, names)) {
      ResourceSet(
        type: .virtualHost, resources: virtualHosts(view: view, key: key, named: names.set))
    }
  }

  private func virtualHosts(view: ProxyView, key: OutboundKey, named names: Set<String>)
    -> [EncodedResource]
  {
    var result: [EncodedResource] = []
    var missing: [String] = []
    let cached = caches.withLock { $0.vhdsNamed[key] ?? [:] }
    for name in names {
      if name == "*" {
        // Per outbound key, not per view: the wildcard's answer depends on nothing else.
        result +=
          shared(.virtualHosts(key)) {
            ResourceSet(type: .virtualHost, resources: allVirtualHosts(view: view))
          }.sortedResources
      } else if VHDSCatalog.split(name) == nil {
        if view.routeDelivery == .upFront { missing.append(name) }
      } else if let hit = cached[name] {
        result.append(hit)
      } else {
        missing.append(name)
      }
    }
    guard !missing.isEmpty else { return result }
    let catalog = vhdsCatalog(view: view, key: key)
    var built: [String: EncodedResource] = [:]
    for name in missing {
      if let (config, host) = VHDSCatalog.split(name) {
        if host.isEmpty {
          // `PORT/` is the on-demand marker, never a host (an empty domain would be NACKed).
          let marker = EncodedResource.bodyless(name: name, type: .virtualHost)
          built[name] = marker
          result.append(marker)
        } else if let encoded = aliasHost(catalog: catalog, config: config, host: host, name: name)
        {
          built[name] = encoded
          result.append(encoded)
        }
      } else {
        for host in catalog.hosts[name] ?? [] {
          let canonical = VHDSCatalog.resourceName(config: name, host: host.name)
          if let hit = cached[canonical] ?? built[canonical] {
            result.append(hit)
          } else {
            let encoded = host.resource(named: canonical)
            built[canonical] = encoded
            result.append(encoded)
          }
        }
      }
    }
    caches.withLock { caches in
      caches.vhdsNamed[key, default: [:]].merge(built) { old, _ in old }
    }
    return result
  }

  /// What a VHDS wildcard brings: every mesh virtual host up front; on demand, a bodyless
  /// `PORT/` per route configuration.
  func allVirtualHosts(view: ProxyView) -> [EncodedResource] {
    guard view.routeDelivery.usesVHDS else { return [] }
    let key = OutboundKey(view: view, index: index)
    if view.routeDelivery == .onDemand {
      return vhdsCatalog(view: view, key: key).configNames.map {
        EncodedResource.bodyless(
          name: VHDSCatalog.resourceName(config: $0, host: ""), type: .virtualHost)
      }
    }
    var upFront = view
    upFront.routeDelivery = .upFront
    return virtualHosts(
      view: upFront, named: Set(vhdsCatalog(view: view, key: key).configNames))
  }

  /// What `PORT/HOST` resolves to: the mesh's host for it answering that one domain (its
  /// cached encoded bytes, renamed), or a passthrough to the original destination (ALLOW_ANY).
  private func aliasHost(catalog: VHDSCatalog, config: String, host: String, name: String)
    -> EncodedResource?
  {
    if let resolved = catalog.resolve(config: config, host: host) {
      return resolved.resource(named: name, domains: [host])
    }
    var passthrough = RouteBuilder.allowAnyVirtualHost()
    passthrough.name = name
    passthrough.domains = [host]
    return Self.encode(name, .virtualHost, passthrough)
  }

  func vhdsCatalog(view: ProxyView, key: OutboundKey) -> VHDSCatalog {
    if let cached = caches.withLock({ $0.vhdsCatalogs[key] }) { return cached }
    var inline = view
    inline.routeDelivery = .inline
    // The full-RDS view's route configs: their encoded hosts are shared with it and carried
    // across translations while their dependencies are unchanged.
    let configs = sidecarRouteConfigs(view: inline, key: OutboundKey(view: inline, index: index))
    let built =
      carriedVirtualHosts.catalogs[key]?.reindexed(with: configs)
      ?? VHDSCatalog(routeConfigs: configs)
    return caches.withLock { caches in
      if let raced = caches.vhdsCatalogs[key] { return raced }
      caches.vhdsCatalogs[key] = built
      caches.virtualHosts.catalogs[key] = built
      return built
    }
  }
}
