import FairwayMesh
import FairwayProto
import FairwayResources
import SwiftProtobuf
import Synchronization

/// The translation of one `MeshSnapshot` into Envoy v3 resources, for any proxy.
///
/// Immutable and thread-safe. Work is done lazily and cached: outbound clusters and endpoint
/// assignments once per client flavour (they do not depend on who asks), everything else once
/// per `ProxyView`. Each resource is serialized once per translator and shared by every proxy
/// that receives it.
package final class MeshTranslator: MeshTranslation {
  /// The store revision of the snapshot.
  package let revision: Int64
  let index: MeshIndex
  /// Inputs of every EDS cluster's assignment, by cluster name.
  let endpointInputs: OverlayDictionary<String, EndpointInput>
  /// EDS cluster names of each service, aligned with `index.services`.
  let endpointClustersByService: ChunkedArray<[String]>
  let caches: Mutex<TranslatorCaches>
  /// Held per outbound key while its sidecar route configs are built (see
  /// `sidecarRouteConfigs(view:key:)`).
  let routeConfigBuilds = BuildLocks<OutboundKey>()
  /// Encoded sidecar virtual hosts of the translations this one was patched from, reused
  /// where their dependencies are unchanged (empty after a full build).
  let carriedVirtualHosts: VirtualHostTable

  /// Translates `snapshot`; nothing is built until a proxy asks.
  package convenience init(snapshot: MeshSnapshot) {
    self.init(snapshot: snapshot, reusing: nil)
  }

  /// EDS clusters whose inputs differ from the translator this one was derived from, when it
  /// was derived incrementally (a WorkloadEntry-only change); nil after a full build, where
  /// `changedEndpointClusters(since:)` answers instead.
  package let incrementalEndpointChanges: Set<String>?

  /// `previous` with `patch` applied. Reached through `TranslationEngine`, the one way to a
  /// next translation.
  convenience init(
    updating previous: MeshTranslator, revision: Int64, patch: TranslationPatch
  ) {
    switch patch {
    case .workloads(let workloads):
      self.init(updating: previous, revision: revision, workloads: workloads)
    case .virtualServices(let virtualServices):
      self.init(updating: previous, revision: revision, virtualServices: virtualServices)
    case .destinationRules(let rules):
      self.init(updating: previous, revision: revision, destinationRules: rules)
    }
  }

  /// `previous` with the WorkloadEntries in `workloads` replaced (nil: deleted). No snapshot
  /// needed: only the services those workloads belong to are resolved again and only their
  /// assignments are encoded again, so the cost follows the change, not the mesh. Everything
  /// else is shared with or carried over from `previous`.
  convenience init(
    updating previous: MeshTranslator, revision: Int64, workloads: [ConfigKey: WorkloadEntry?]
  ) {
    let (patched, changedServices) = previous.index.updatingWorkloads(workloads)
    self.init(
      patching: previous, revision: revision, index: patched, changedServices: changedServices)
  }

  /// `previous` with the DestinationRules in `rules` replaced (nil: deleted). No snapshot and
  /// no new index of services and workloads: the rule lookup is patched for the hosts the
  /// changed rules name, and the EDS clusters (one per subset) and outbound clusters are built
  /// again for only the services whose rule changed. Listeners and routes, which rules shape,
  /// are built again on demand.
  convenience init(
    updating previous: MeshTranslator, revision: Int64,
    destinationRules rules: [ConfigKey: TypedConfig<DestinationRule>?]
  ) {
    let (patched, changedServices) = previous.index.updatingDestinationRules(rules)
    self.init(
      patching: previous, revision: revision, index: patched, changedServices: changedServices)
  }

  /// `previous` with `patched` as its index, where only the services at `changedServices` (none
  /// for a VirtualService change) may have different clusters: their EDS inputs and outbound
  /// clusters are computed again, their stale assignments dropped and the namespace EDS sets
  /// patched. Other services' assignments and outbound clusters, and pods' own listeners, are
  /// carried over; everything else is built on demand.
  private init(
    patching previous: MeshTranslator, revision: Int64, index patched: MeshIndex,
    changedServices: [Int]
  ) {
    self.revision = revision
    index = patched
    var inputs = previous.endpointInputs
    var byService = previous.endpointClustersByService
    var changedNames = Set<String>()
    for position in changedServices {
      let before = byService[position]
      for name in before { inputs[name] = nil }
      let fresh = Self.endpointInputs(of: patched.services[position], index: patched)
      byService[position] = fresh.map(\.name)
      for (name, input) in fresh { inputs[name] = input }
      for name in Set(before).union(byService[position])
      where previous.endpointInputs[name] != inputs[name] {
        changedNames.insert(name)
      }
    }
    endpointInputs = inputs
    endpointClustersByService = byService
    var endpoints = previous.caches.withLock { $0.endpoints }
    for flavor in Array(endpoints.keys) {
      for name in changedNames { endpoints[flavor]?[name] = nil }
    }
    var caches = TranslatorCaches()
    caches.endpoints = endpoints
    caches.ownListeners = previous.carriedOwnListeners
    self.caches = Mutex(caches)
    carriedVirtualHosts = previous.virtualHostsToCarry
    incrementalEndpointChanges = changedNames
    carryEndpointSets(
      of: previous, changedServices: changedServices, changedNames: changedNames)
    carryOutboundClusters(of: previous, changedServices: changedServices)
  }

  /// `previous` with the VirtualServices in `virtualServices` replaced (nil: deleted). No
  /// snapshot and no new index of services, workloads and rules: only the VirtualService
  /// lookups of the hosts they name are ranked again. Listeners and routes are built again on
  /// demand, as after a full translation; endpoint assignments, the EDS sets, outbound clusters
  /// and pods' own listeners, which no VirtualService affects, are carried over whole.
  convenience init(
    updating previous: MeshTranslator, revision: Int64,
    virtualServices changes: [ConfigKey: TypedConfig<VirtualService>?]
  ) {
    self.init(
      patching: previous, revision: revision,
      index: previous.index.updatingVirtualServices(changes),
      changedServices: [])
  }

  /// Translates `snapshot`, taking over `previous`'s encoded endpoint assignments for every
  /// cluster whose inputs (endpoints, port, subset labels) are unchanged, so an endpoint change
  /// re-encodes only the clusters it touches. Reached through `TranslationEngine`.
  init(
    snapshot: MeshSnapshot, reusing previous: MeshTranslator?,
    rootNamespace: String = MeshIndex.defaultRootNamespace
  ) {
    revision = snapshot.revision
    index = MeshIndex(snapshot: snapshot, rootNamespace: rootNamespace)
    let (inputs, byService) = Self.endpointInputs(index)
    endpointInputs = OverlayDictionary(inputs)
    endpointClustersByService = ChunkedArray(byService)
    var caches = TranslatorCaches()
    if let previous {
      caches.endpoints = previous.reusableEndpoints(for: inputs)
      caches.ownListeners = previous.carriedOwnListeners
    }
    self.caches = Mutex(caches)
    carriedVirtualHosts = VirtualHostTable()
    incrementalEndpointChanges = nil
  }

  /// All resources of `type` that `proxy` should have.
  ///
  /// `requestedNames` filters the result when not nil. For a proxyless gRPC client's LDS and
  /// RDS the names are what it asked for (`HOST:PORT`), built on demand; nil there means every
  /// service port it could ask for.
  package func resources(for proxy: Proxy, type: XDSResourceType, requestedNames: ResourceNames?)
    -> ResourceSet
  {
    let view = proxy.view
    if type == .virtualHost, view.routeDelivery.usesVHDS, let requestedNames {
      return namedVirtualHosts(view: view, named: requestedNames)
    }
    if view.client == .grpc, type == .listener || type == .route, let requestedNames {
      return ResourceSet(
        type: type, resources: grpcNamed(view: view, type: type, names: requestedNames.set))
    }
    let full = resourceSet(view: view, type: type)
    guard let requestedNames else { return full }
    return ResourceSet(type: type, resources: requestedNames.set.sorted().compactMap { full[$0] })
  }

  /// The complete set of one type for a view, cached. Sets that do not depend on the pod
  /// itself are shared (same storage) by every view they fit, so thousands of sidecars cost
  /// one set per namespace or workload, not one each.
  func resourceSet(view: ProxyView, type: XDSResourceType) -> ResourceSet {
    if let cached = caches.withLock({ $0.views[view]?.sets[type] }) { return cached }
    let built: ResourceSet
    switch type {
    case .cluster:
      built = shared(.clusters(ClusterSetKey(view: view, index: index))) {
        ResourceSet(type: .cluster, resources: clusters(view: view))
      }
    case .endpoint:
      built = shared(
        .endpoints(
          EndpointSetKey(
            flavor: ClientFlavor(view.client), namespace: view.namespace,
            locality: proxyLocality(of: view), scope: index.sidecarScope(for: view)))
      ) {
        ResourceSet(type: .endpoint, resources: endpoints(view: view))
      }
    case .route where view.kind == .router:
      // A gateway proxy's routes depend on its labels (which Gateways select it).
      built = ResourceSet(type: .route, resources: routes(view: view))
    case .route:
      built = shared(.routes(OutboundKey(view: view, index: index))) {
        ResourceSet(type: .route, resources: routes(view: view))
      }
    case .listener:
      built = ResourceSet(type: .listener, resources: listeners(view: view))
    case .dubboRoute:
      built = shared(.dubboRoutes(OutboundKey(view: view, index: index))) {
        ResourceSet(type: .dubboRoute, resources: dubboRoutes(view: view))
      }
    case .virtualHost:
      built = shared(.virtualHosts(OutboundKey(view: view, index: index))) {
        ResourceSet(type: .virtualHost, resources: allVirtualHosts(view: view))
      }
    }
    caches.withLock { $0.views[view, default: ViewCache()].sets[type] = built }
    return built
  }

  /// Own listeners worth handing to the next translation (all of them, unless churn has
  /// grown the table past any plausible number of workloads).
  var carriedOwnListeners: [InboundListenerKey: OwnListeners] {
    caches.withLock { $0.ownListeners.count > 50_000 ? [:] : $0.ownListeners }
  }

  func shared(_ key: SharedSetKey, build: () -> ResourceSet) -> ResourceSet {
    if let cached = caches.withLock({ $0.sharedSets[key] }) { return cached }
    let built = build()
    return caches.withLock { caches in
      if let raced = caches.sharedSets[key] { return raced }
      caches.sharedSets[key] = built
      return built
    }
  }

  static func encode(_ name: String, _ type: XDSResourceType, _ message: some SwiftProtobuf.Message)
    -> EncodedResource?
  {
    try? EncodedResource(name: name, type: type, message: message)
  }
}

/// Mutable memo tables behind the translator's lock.
struct TranslatorCaches: Sendable {
  /// Outbound clusters per flavour, aligned with `MeshIndex.services`.
  var outboundClusters: [ClientFlavor: ChunkedArray<[EncodedResource]>] = [:]
  /// Encoded assignments per flavour by cluster name.
  var endpoints: [ClientFlavor: OverlayDictionary<String, EncodedResource>] = [:]
  /// Locality-aware assignments (rules with `localityLbSetting`) per proxy locality; rebuilt
  /// on demand after any change, since only a few clusters have them.
  var localityEndpoints: [LocalityEndpointKey: EncodedResource] = [:]
  /// Whole resource sets shared by the views they fit.
  var sharedSets: [SharedSetKey: ResourceSet] = [:]
  /// Sidecar route configs, built once for both LDS (which filters they need) and RDS.
  var routeConfigs: [OutboundKey: [SidecarRouteConfig]] = [:]
  /// The encoded virtual hosts of `routeConfigs`, for the next translation.
  var virtualHosts = VirtualHostTable()
  /// Virtual hosts this translation encoded itself (not reused).
  var encodedVirtualHostCount = 0
  var outboundListeners: [OutboundKey: [EncodedResource]] = [:]
  /// VHDS views' virtual hosts by route config and domain, and the ones built by name.
  var vhdsCatalogs: [OutboundKey: VHDSCatalog] = [:]
  var vhdsNamed: [OutboundKey: [String: EncodedResource]] = [:]
  /// grpc listeners and route configs by requested name (`HOST:PORT`), per outbound key: a
  /// gRPC client's LDS and RDS depend on its namespace and route-relevant labels, not on its
  /// pod, so thousands of clients calling the same service share one. nil records a name
  /// that matches no service, so it is not looked up again.
  var grpcNamed: [OutboundKey: [XDSResourceType: [String: EncodedResource?]]] = [:]
  /// A service's outbound clusters under a rule other than its default one.
  var variantClusters: [VariantClusterKey: [EncodedResource]] = [:]
  /// Pods' own listeners; a pure function of the key, so carried over between translations.
  var ownListeners: [InboundListenerKey: OwnListeners] = [:]
  /// Gateway proxies' listeners and routes, per view (their labels pick the Gateways).
  var gatewayOutputs: [ProxyView: GatewayBuilder.Output] = [:]
  var views: [ProxyView: ViewCache] = [:]
}

/// Which services' endpoints a view sees: its flavour, its namespace (exportTo), its Sidecar
/// scope, and its locality while some rule balances by locality (nil otherwise, so views
/// share one set).
struct EndpointSetKey: Sendable, Hashable {
  let flavor: ClientFlavor
  let namespace: String
  var locality: ProxyLocality? = nil
  let scope: SidecarScope?
}

/// One locality-aware assignment: cluster, flavour and the proxy locality it is built for.
struct LocalityEndpointKey: Sendable, Hashable {
  let cluster: String
  let flavor: ClientFlavor
  let proxy: ProxyLocality
}

/// What a view's clusters depend on: flavour, namespace, Sidecar scope, the DestinationRules
/// that select it, and its inbound ports (not its IP).
struct ClusterSetKey: Sendable, Hashable {
  let flavor: ClientFlavor
  let kind: Proxy.Kind
  let namespace: String
  let scope: SidecarScope?
  let rules: [ConfigKey]
  let inbound: [UInt32]
  let inboundAddresses: [String]

  init(view: ProxyView, index: MeshIndex) {
    flavor = ClientFlavor(view.client)
    kind = view.kind
    namespace = view.namespace
    scope = index.sidecarScope(for: view)
    rules = index.ruleClient(for: view).selected
    let instances = InboundBuilder(index: index, view: view).instances()
    inbound = InboundBuilder.signature(instances)
    inboundAddresses = instances.map(\.applicationAddress)
  }
}

/// One service's outbound clusters under one rule, for one flavour.
struct VariantClusterKey: Sendable, Hashable {
  let flavor: ClientFlavor
  let position: Int
  let rule: ConfigKey?
}

/// Keys of resource sets shared between views.
enum SharedSetKey: Sendable, Hashable {
  case clusters(ClusterSetKey)
  case endpoints(EndpointSetKey)
  case routes(OutboundKey)
  case dubboRoutes(OutboundKey)
  case virtualHosts(OutboundKey)
  /// What a VHDS stream holds for its subscribed names.
  case namedVirtualHosts(OutboundKey, ResourceNames)
}

/// What one proxy view has been given so far.
struct ViewCache: Sendable {
  var sets: [XDSResourceType: ResourceSet] = [:]
}
