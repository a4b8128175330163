import FairwayMesh
import FairwayProto
import FairwayResources

extension MeshTranslator {
  /// Outbound clusters of every service for one flavour, encoded once per translator.
  func outboundClusters(flavor: ClientFlavor) -> ChunkedArray<[EncodedResource]> {
    if let cached = caches.withLock({ $0.outboundClusters[flavor] }) { return cached }
    let builder = ClusterBuilder(index: index, flavor: flavor)
    let built = ChunkedArray(
      index.services.lazy.map { service in
        builder.outboundClusters(for: service).compactMap { Self.encode($0.name, .cluster, $0) }
      })
    caches.withLock { $0.outboundClusters[flavor] = built }
    return built
  }

  /// Takes over `previous`'s encoded outbound clusters, building again only those of the
  /// services at `changedServices`: a service's clusters depend on nothing but the service, its
  /// DestinationRule and the flavour, and encoding all of them again is O(mesh) (tens of
  /// milliseconds at 1,000 services) for a change to one.
  func carryOutboundClusters(of previous: MeshTranslator, changedServices: [Int]) {
    var carried = previous.caches.withLock { $0.outboundClusters }
    guard !carried.isEmpty else { return }
    for flavor in Array(carried.keys) {
      let builder = ClusterBuilder(index: index, flavor: flavor)
      for position in changedServices {
        carried[flavor]?[position] = builder.outboundClusters(for: index.services[position])
          .compactMap { Self.encode($0.name, .cluster, $0) }
      }
    }
    caches.withLock { $0.outboundClusters = carried }
  }

  /// A service's clusters under a rule other than the one its own namespace applies (another
  /// client namespace's rule, one selecting the workload, or none), built once per translator.
  private func variantClusters(
    flavor: ClientFlavor, position: Int, rule: TypedConfig<DestinationRule>?
  ) -> [EncodedResource] {
    let key = VariantClusterKey(flavor: flavor, position: position, rule: rule?.key)
    if let cached = caches.withLock({ $0.variantClusters[key] }) { return cached }
    let built = ClusterBuilder(index: index, flavor: flavor)
      .outboundClusters(for: index.services[position], rule: rule?.spec)
      .compactMap { Self.encode($0.name, .cluster, $0) }
    caches.withLock { $0.variantClusters[key] = built }
    return built
  }

  /// The clusters a view receives: outbound clusters of the services visible from its
  /// namespace, plus, for sidecars, the built-in and inbound clusters.
  func clusters(view: ProxyView) -> [EncodedResource] {
    let flavor = ClientFlavor(view.client)
    let outbound = outboundClusters(flavor: flavor)
    let scope = index.sidecarScope(for: view)
    let client = index.ruleClient(for: view)
    var result: [EncodedResource] = []
    for (position, service) in index.services.enumerated()
    where index.isVisible(service, namespace: view.namespace, scope: scope) {
      let rule = index.destinationRuleConfig(for: service, client: client)
      if rule?.key == index.destinationRuleConfig(host: service.host)?.key {
        result += outbound[position]
      } else {
        result += variantClusters(flavor: flavor, position: position, rule: rule)
      }
    }
    if flavor == .sidecar {
      result += ClusterBuilder.sidecarBuiltins().compactMap { Self.encode($0.name, .cluster, $0) }
      let inbound = InboundBuilder(index: index, view: view)
      result += inbound.clusters(inbound.instances()).compactMap {
        Self.encode($0.name, .cluster, $0)
      }
    }
    return result
  }
}
