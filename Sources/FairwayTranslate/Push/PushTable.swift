import FairwayMesh
import FairwayResources
import FairwayStore

/// The change-type table: which xDS types a change of each config kind can alter, for sidecars
/// and proxyless clients. One place, as data; `PushTableTests` proves every row both ways (each
/// named type really changes for some change of that kind, each skipped type never does).
///
/// | change          | CDS | EDS                 | LDS | RDS | VHDS |
/// |-----------------|-----|---------------------|-----|-----|------|
/// | VirtualService  |  -  |  -                  | yes | yes | yes  |
/// | VirtualService on Dubbo hosts only | - | - | - | yes (MOSN) + Dubbo routes (Envoy `drds`) | - |
/// | VirtualService delegate (no hosts) | - | - | as its roots | as its roots | as its roots; nothing when no root names it |
/// | DestinationRule | yes | yes                 |  -  | yes | yes  |
/// | ServiceEntry    | yes | yes                 | yes | yes | yes  |
/// | WorkloadEntry   | DNS services only | changed services only | - | - | - |
/// | WorkloadGroup   |  -  |  -                  |  -  |  -  |  -   |
/// | Sidecar         | yes | yes                 | yes | yes | yes  |
/// | Gateway         |  -  |  -                  | yes (gateway proxies) | yes (gateway proxies) | - |
///
/// And to whom (`reach(for:against:)`): a Sidecar change only the proxies of its namespace
/// (every proxy for a root-namespace default); a ServiceEntry, VirtualService or
/// DestinationRule change only proxies whose namespace the config is exported to and whose
/// Sidecar scope admits one of its hosts.
///
/// Which of a change's types a proxy is really sent follows from what it holds. A Delta Envoy
/// sidecar on VHDS (`RouteDelivery`) holds route configurations without hosts and listeners
/// that do not depend on routes, so a VirtualService change reaches it as the changed
/// VirtualHost resources only (no RDS, no LDS), and only if it holds them; every other proxy
/// holds no VirtualHost resources and gets RDS (and LDS where the fault filter or a TCP route
/// changed). `ChangeScope.vhdsTypes` carries the narrower set (a row's `typesNotForVHDS`
/// removed; LDS kept for a VirtualService with TCP or TLS routes), and the push sends each
/// proxy its own. `PushTableTests` proves both per proxy.
///
/// Narrower than istiod's table where Fairway's translation allows it: a VirtualService never
/// alters clusters because every DestinationRule subset gets a cluster whether or not a route
/// uses it, and it alters listeners only through the fault filter or TCP routes; a
/// DestinationRule alters routes through consistent-hash policies but never listeners. A
/// WorkloadEntry alters CDS only for DNS-resolved ServiceEntries, whose endpoints are inlined in
/// the cluster. A VirtualService on Dubbo services alters only route resources: Envoy's Dubbo
/// listeners take their routes over `drds`, so the listener (and its connections) stay put.
/// A delegate VirtualService routes only through the roots naming it (`DelegateIndex`): its
/// change is judged by their hosts, and reaches nothing while no root names it.
package enum PushTable {
  package struct Row: Sendable, Equatable {
    package var types: Set<XDSResourceType>
    /// Types added when the change touches a DNS-resolved service.
    package var typesForDNSServices: Set<XDSResourceType>
    /// For a VirtualService: the types when every host it routes is a Dubbo service (added to
    /// `types` when only some are).
    package var typesForDubboHosts: Set<XDSResourceType>?
    /// Types a proxy taking its virtual hosts by VHDS never gets from this kind of change: its
    /// route configurations carry no host, and its listeners no route-dependent filter.
    package var typesNotForVHDS: Set<XDSResourceType> = []
  }

  package static let rows: [ConfigKind: Row] = [
    .virtualService: Row(
      types: [.listener, .route, .virtualHost], typesForDNSServices: [],
      typesForDubboHosts: [.route, .dubboRoute], typesNotForVHDS: [.listener, .route]
    ),
    .destinationRule: Row(
      types: [.cluster, .endpoint, .route, .virtualHost], typesForDNSServices: [],
      typesNotForVHDS: [.route]),
    .serviceEntry: Row(
      types: [.cluster, .endpoint, .listener, .route, .dubboRoute, .virtualHost],
      typesForDNSServices: []),
    .workloadEntry: Row(types: [.endpoint], typesForDNSServices: [.cluster]),
    // A template for auto-registration: only the WorkloadEntries made from it translate.
    .workloadGroup: Row(types: [], typesForDNSServices: []),
    // A Sidecar decides which services its proxies see and how they accept traffic: all of it.
    .sidecar: Row(
      types: [.cluster, .endpoint, .listener, .route, .dubboRoute, .virtualHost],
      typesForDNSServices: []),
    // Gateways shape only gateway proxies' listeners and routes; clusters are every visible
    // service's whatever the Gateways say, and sidecars never see a Gateway.
    .gateway: Row(types: [.listener, .route], typesForDNSServices: []),
  ]

  /// The scope of one store change, judged against the latest translation's index.
  package static func scope(for event: ConfigEvent, against basis: Basis) -> ChangeScope {
    guard let row = rows[event.kind] else { return .everything }
    var types = row.types
    if !row.typesForDNSServices.isEmpty, selectsDNSService(event: event, basis: basis) {
      types.formUnion(row.typesForDNSServices)
    }
    var routedHosts = hosts(of: event)
    if event.kind == .virtualService, [event.old, event.new].allSatisfy(isDelegate) {
      let roots = basis.index.delegateRoots(of: event.key)
      if roots.isEmpty { return ChangeScope(types: []) }
      routedHosts = roots.flatMap { root in
        (root.spec.hosts ?? []).map { HostName.resolve($0, namespace: root.namespace) }
      }
    }
    if let dubboTypes = row.typesForDubboHosts {
      switch dubboShare(hosts: routedHosts, basis: basis) {
      case .all: types = dubboTypes.union(types.subtracting(row.types))
      case .some: types.formUnion(dubboTypes)
      case .none: break
      }
    }
    var notForVHDS = row.typesNotForVHDS
    if routesTCP(event) { notForVHDS.remove(.listener) }
    return ChangeScope(
      types: types, reach: reach(for: event, against: basis),
      vhdsTypes: types.subtracting(notForVHDS))
  }

  /// Whether the changed VirtualService (before or after) has TCP or TLS routes: those live in
  /// listeners' filter chains whatever the route delivery.
  static func routesTCP(_ event: ConfigEvent) -> Bool {
    [event.old, event.new].contains { object in
      guard case .virtualService(let spec)? = object?.spec else { return false }
      return !(spec.tcp ?? []).isEmpty || !(spec.tls ?? []).isEmpty
    }
  }

  enum DubboShare { case none, some, all }

  /// The hosts the changed VirtualService names (before or after), resolved.
  static func hosts(of event: ConfigEvent) -> [String] {
    [event.old, event.new].compactMap { object -> [String]? in
      guard case .virtualService(let spec)? = object?.spec else { return nil }
      return (spec.hosts ?? []).map { HostName.resolve($0, namespace: event.namespace) }
    }.flatMap { $0 }
  }

  /// Whether `object` (absent counts) is a delegate VirtualService: one without hosts.
  static func isDelegate(_ object: ConfigObject?) -> Bool {
    guard let object else { return true }
    guard case .virtualService(let spec) = object.spec else { return false }
    return (spec.hosts ?? []).isEmpty
  }

  /// How many of `hosts` (those a changed VirtualService routes) are Dubbo.
  static func dubboShare(hosts: [String], basis: Basis) -> DubboShare {
    guard !hosts.isEmpty else { return .none }
    let count = hosts.count(where: basis.isDubbo(host:))
    return count == 0 ? .none : count == hosts.count ? .all : .some
  }

  /// Whether the changed WorkloadEntry (before or after) is selected by a DNS-resolved
  /// ServiceEntry in its namespace.
  static func selectsDNSService(event: ConfigEvent, basis: Basis) -> Bool {
    [event.old, event.new].contains { object in
      guard case .workloadEntry(let entry)? = object?.spec else { return false }
      return basis.selectsDNSService(namespace: event.namespace, labels: entry.labels ?? [:])
    }
  }
}
