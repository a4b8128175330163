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
/// | DestinationRule | yes | yes                 |  -  | yes | yes  |
/// | ServiceEntry    | yes | yes                 | yes | yes | yes  |
/// | WorkloadEntry   | DNS services only | changed services only | - | - | - |
///
/// The table is per change; which of its types a proxy is really sent follows from what it
/// holds. A Delta Envoy sidecar on VHDS (`RouteDelivery`) holds route configurations without
/// hosts and listeners that do not depend on routes, so a VirtualService change reaches it as
/// the changed VirtualHost resources only (no RDS, no LDS), and only if it holds them; every
/// other proxy holds no VirtualHost resources and gets RDS (and LDS where the fault filter or a
/// TCP route changed). `PushTableTests` proves both per proxy.
///
/// Narrower than istiod's table where Fairway's translation allows it: a VirtualService never
/// alters clusters because every DestinationRule subset gets a cluster whether or not a route
/// uses it, and it alters listeners only through the fault filter or TCP routes; a
/// DestinationRule alters routes through consistent-hash policies but never listeners. A
/// WorkloadEntry alters CDS only for DNS-resolved ServiceEntries, whose endpoints are inlined in
/// the cluster. A VirtualService on Dubbo services alters only route resources: Envoy's Dubbo
/// listeners take their routes over `drds`, so the listener (and its connections) stay put.
package enum PushTable {
  package struct Row: Sendable, Equatable {
    package var types: Set<XDSResourceType>
    /// Types added when the change touches a DNS-resolved service.
    package var typesForDNSServices: Set<XDSResourceType>
    /// For a VirtualService: the types when every host it routes is a Dubbo service (added to
    /// `types` when only some are).
    package var typesForDubboHosts: Set<XDSResourceType>?
  }

  package static let rows: [ConfigKind: Row] = [
    .virtualService: Row(
      types: [.listener, .route, .virtualHost], typesForDNSServices: [],
      typesForDubboHosts: [.route, .dubboRoute]
    ),
    .destinationRule: Row(
      types: [.cluster, .endpoint, .route, .virtualHost], typesForDNSServices: []),
    .serviceEntry: Row(
      types: [.cluster, .endpoint, .listener, .route, .dubboRoute, .virtualHost],
      typesForDNSServices: []),
    .workloadEntry: Row(types: [.endpoint], typesForDNSServices: [.cluster]),
  ]

  /// The scope of one store change, judged against the latest translation's index.
  package static func scope(for event: ConfigEvent, against basis: Basis) -> ChangeScope {
    guard let row = rows[event.kind] else { return .everything }
    var types = row.types
    if !row.typesForDNSServices.isEmpty, selectsDNSService(event: event, basis: basis) {
      types.formUnion(row.typesForDNSServices)
    }
    if let dubboTypes = row.typesForDubboHosts {
      switch dubboShare(event: event, basis: basis) {
      case .all: types = dubboTypes.union(types.subtracting(row.types))
      case .some: types.formUnion(dubboTypes)
      case .none: break
      }
    }
    return ChangeScope(types: types)
  }

  enum DubboShare { case none, some, all }

  /// How many of the hosts the changed VirtualService routes (before or after) are Dubbo.
  static func dubboShare(event: ConfigEvent, basis: Basis) -> DubboShare {
    let hosts = [event.old, event.new].compactMap { object -> [String]? in
      guard case .virtualService(let spec)? = object?.spec else { return nil }
      return (spec.hosts ?? []).map { HostName.resolve($0, namespace: event.namespace) }
    }.flatMap { $0 }
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
