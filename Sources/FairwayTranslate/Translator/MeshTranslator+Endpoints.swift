import FairwayMesh
import FairwayProto
import FairwayResources

extension MeshTranslator {
  /// The names of all EDS clusters in this translation.
  package var endpointClusterNames: Set<String> { Set(endpointInputs.keys) }

  /// The encoded assignment of one EDS cluster as `client` sees it, built on first use.
  func endpointResource(cluster name: String, client: Proxy.Client) -> EncodedResource? {
    endpointResource(cluster: name, flavor: ClientFlavor(client))
  }

  func endpointResource(cluster name: String, flavor: ClientFlavor, proxy: ProxyLocality? = nil)
    -> EncodedResource?
  {
    guard let input = endpointInputs[name] else { return nil }
    if input.localityPolicy != nil, let proxy {
      return localityEndpointResource(name: name, input: input, flavor: flavor, proxy: proxy)
    }
    // grpc and sidecars see identical bytes unless grpc must drop non-IP endpoints.
    let slot = input.isSameForAllFlavors ? .sidecar : flavor
    if let cached = caches.withLock({ $0.endpoints[slot]?[name] }) { return cached }
    let encoded = input.encoded(flavor: slot)
    caches.withLock { $0.endpoints[slot, default: OverlayDictionary()][name] = encoded }
    return encoded
  }

  /// Assignments for the EDS clusters among a view's clusters. They depend only on the client
  /// flavour and the namespace (which services are visible), so the set is shared by every view
  /// with the same pair.
  func endpoints(view: ProxyView) -> [EncodedResource] {
    let flavor = ClientFlavor(view.client)
    let proxy = proxyLocality(of: view)
    let scope = index.sidecarScope(for: view)
    var names: [String] = []
    for (position, service) in index.services.enumerated()
    where index.isVisible(service, namespace: view.namespace, scope: scope) {
      names += endpointClustersByService[position]
    }
    let known = caches.withLock { caches in
      (
        caches.endpoints[.sidecar] ?? OverlayDictionary(),
        caches.endpoints[flavor] ?? OverlayDictionary()
      )
    }
    var result: [EncodedResource] = []
    result.reserveCapacity(names.count)
    var built: [ClientFlavor: [String: EncodedResource]] = [:]
    for name in names {
      guard let input = endpointInputs[name] else { continue }
      if input.localityPolicy != nil, let proxy {
        result.append(
          localityEndpointResource(name: name, input: input, flavor: flavor, proxy: proxy))
        continue
      }
      let slot = input.isSameForAllFlavors ? ClientFlavor.sidecar : flavor
      if let hit = (slot == .sidecar ? known.0 : known.1)[name] {
        result.append(hit)
      } else {
        let encoded = input.encoded(flavor: slot)
        built[slot, default: [:]][name] = encoded
        result.append(encoded)
      }
    }
    caches.withLock { caches in
      for (slot, byName) in built {
        caches.endpoints[slot, default: OverlayDictionary()].addMissing(byName)
      }
    }
    return result
  }

  /// Takes over `previous`'s namespace EDS sets, changed only where `changedServices` differ:
  /// rebuilding a set walks every visible service (O(mesh)) for what is usually one changed
  /// service.
  func carryEndpointSets(
    of previous: MeshTranslator, changedServices: [Int], changedNames: Set<String>
  ) {
    let previousSets = previous.caches.withLock { $0.sharedSets }
    var carried: [SharedSetKey: ResourceSet] = [:]
    // Sets keyed by a locality only while some rule balances by locality (and the reverse).
    for case (.endpoints(let key), let set) in previousSets
    where (key.locality != nil) == index.usesLocality {
      var updated: [EncodedResource] = []
      var removed: [String] = []
      for position in changedServices
      where index.isVisible(index.services[position], namespace: key.namespace, scope: key.scope) {
        let now = endpointClustersByService[position]
        let before = previous.endpointClustersByService[position]
        removed += before.filter { !now.contains($0) }
        for name in now where changedNames.contains(name) || set[name] == nil {
          if let resource = endpointResource(
            cluster: name, flavor: key.flavor, proxy: key.locality)
          {
            updated.append(resource)
          } else if set[name] != nil {
            removed.append(name)
          }
        }
      }
      carried[.endpoints(key)] = set.updating(updated, removing: removed)
    }
    caches.withLock { caches in
      for (key, set) in carried where caches.sharedSets[key] == nil {
        caches.sharedSets[key] = set
      }
    }
  }

  /// This translator's encoded assignments whose inputs are unchanged in `inputs`.
  func reusableEndpoints(for inputs: [String: EndpointInput]) -> [ClientFlavor:
    OverlayDictionary<String, EncodedResource>]
  {
    let encoded = caches.withLock { $0.endpoints }
    var reused: [ClientFlavor: OverlayDictionary<String, EncodedResource>] = [:]
    for (flavor, byName) in encoded {
      var kept: [String: EncodedResource] = [:]
      for (name, resource) in byName where inputs[name] == endpointInputs[name] {
        kept[name] = resource
      }
      reused[flavor] = OverlayDictionary(kept)
    }
    return reused
  }

  /// What a view's assignments depend on besides flavour and namespace: its locality, only
  /// while some DestinationRule balances by locality (otherwise every view shares one set).
  func proxyLocality(of view: ProxyView) -> ProxyLocality? {
    guard index.usesLocality else { return nil }
    return ProxyLocality(view: view, labelNames: index.failoverLabelNames)
  }

  /// A locality-aware assignment, cached per cluster, flavour and proxy locality.
  func localityEndpointResource(
    name: String, input: EndpointInput, flavor: ClientFlavor, proxy: ProxyLocality
  ) -> EncodedResource {
    let key = LocalityEndpointKey(cluster: name, flavor: flavor, proxy: proxy)
    if let cached = caches.withLock({ $0.localityEndpoints[key] }) { return cached }
    let encoded = input.encoded(flavor: flavor, proxy: proxy)
    caches.withLock { $0.localityEndpoints[key] = encoded }
    return encoded
  }

  /// One input per EDS (STATIC resolution) cluster: the service-wide cluster and each subset.
  static func endpointInputs(_ index: MeshIndex) -> ([String: EndpointInput], [[String]]) {
    var inputs: [String: EndpointInput] = [:]
    var byService: [[String]] = Array(repeating: [], count: index.services.count)
    for (position, service) in index.services.enumerated() {
      for (name, input) in endpointInputs(of: service, index: index) {
        inputs[name] = input
        byService[position].append(name)
      }
    }
    return (inputs, byService)
  }

  /// The EDS clusters of one service, in cluster order; none unless it resolves STATIC.
  static func endpointInputs(of service: MeshService, index: MeshIndex) -> [(
    name: String, input: EndpointInput
  )] {
    guard service.resolution == .staticIPs else { return [] }
    // Clients of different namespaces may apply different rules: every subset any of them
    // names gets its cluster (the first rule to name a subset decides its labels and, with
    // the service namespace's rule for the plain cluster, its locality policy).
    let rules = index.subsetRules(host: service.host)
    let rule = rules.first
    var named: Set<String> = []
    let subsets = rules.flatMap { owner in (owner.subsets ?? []).map { (owner, $0) } }.compactMap {
      owner, subset -> (String, Subset, DestinationRule)? in
      guard let name = subset.name, !name.isEmpty, named.insert(name).inserted else { return nil }
      return (name, subset, owner)
    }
    var result: [(name: String, input: EndpointInput)] = []
    for port in service.ports {
      let name = ClusterName.outbound(port: port.number, host: service.host)
      result.append(
        (
          name,
          EndpointInput(
            clusterName: name, port: port, subsetLabels: [:], endpoints: service.endpoints,
            localityPolicy: LocalityPolicy(
              EffectivePolicy(rule: rule, subset: nil, port: port.number)))
        ))
      for (subset, definition, owner) in subsets {
        let labels = definition.labels ?? [:]
        let subsetName = ClusterName.outbound(port: port.number, subset: subset, host: service.host)
        result.append(
          (
            subsetName,
            EndpointInput(
              clusterName: subsetName, port: port, subsetLabels: labels,
              endpoints: service.endpoints.filter { $0.matches(labels: labels) },
              localityPolicy: LocalityPolicy(
                EffectivePolicy(rule: owner, subset: definition, port: port.number)))
          ))
      }
    }
    return result
  }
}
