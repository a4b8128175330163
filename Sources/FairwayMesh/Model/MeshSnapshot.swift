/// An immutable view of every stored config at one store revision; the input of
/// translation.
///
/// Built from already-decoded objects, so taking a snapshot costs a sort and some
/// array copies, never a parse.
public struct MeshSnapshot: Sendable {
  /// The store revision this snapshot reflects.
  public let revision: Int64
  /// Every object, sorted by `ConfigKey`.
  public let objects: [ConfigObject]
  public let virtualServices: [TypedConfig<VirtualService>]
  public let destinationRules: [TypedConfig<DestinationRule>]
  public let serviceEntries: [TypedConfig<ServiceEntry>]
  public let workloadEntries: [TypedConfig<WorkloadEntry>]
  public let sidecars: [TypedConfig<Sidecar>]
  public let gateways: [TypedConfig<Gateway>]
  private let index: [ConfigKey: Int]

  /// Creates a snapshot; `objects` need not be sorted.
  public init<Objects: Sequence>(revision: Int64, objects: Objects)
  where Objects.Element == ConfigObject {
    // Sort positions, not objects: moving whole ConfigObjects around in the sort (retain and
    // release of every field per move) was a fifth of the server's CPU at 11,000 objects.
    let unsorted = Array(objects)
    let order = unsorted.indices.sorted { unsorted[$0].key < unsorted[$1].key }
    let sorted = order.map { unsorted[$0] }
    var virtualServices: [TypedConfig<VirtualService>] = []
    var destinationRules: [TypedConfig<DestinationRule>] = []
    var serviceEntries: [TypedConfig<ServiceEntry>] = []
    var workloadEntries: [TypedConfig<WorkloadEntry>] = []
    var sidecars: [TypedConfig<Sidecar>] = []
    var gateways: [TypedConfig<Gateway>] = []
    var index: [ConfigKey: Int] = [:]
    index.reserveCapacity(sorted.count)
    for (position, object) in sorted.enumerated() {
      index[object.key] = position
      switch object.spec {
      case .virtualService(let spec):
        virtualServices.append(.init(key: object.key, metadata: object.metadata, spec: spec))
      case .destinationRule(let spec):
        destinationRules.append(.init(key: object.key, metadata: object.metadata, spec: spec))
      case .serviceEntry(let spec):
        serviceEntries.append(.init(key: object.key, metadata: object.metadata, spec: spec))
      case .workloadEntry(let spec):
        workloadEntries.append(.init(key: object.key, metadata: object.metadata, spec: spec))
      case .workloadGroup:
        // Templates for auto-registration; only the WorkloadEntries made from them translate.
        break
      case .sidecar(let spec):
        sidecars.append(.init(key: object.key, metadata: object.metadata, spec: spec))
      case .gateway(let spec):
        gateways.append(.init(key: object.key, metadata: object.metadata, spec: spec))
      }
    }
    self.revision = revision
    self.objects = sorted
    self.virtualServices = virtualServices
    self.destinationRules = destinationRules
    self.serviceEntries = serviceEntries
    self.workloadEntries = workloadEntries
    self.sidecars = sidecars
    self.gateways = gateways
    self.index = index
  }

  /// An empty snapshot at revision 0.
  public static let empty = MeshSnapshot(revision: 0, objects: [])

  /// The object stored under `key`, if any.
  public subscript(key: ConfigKey) -> ConfigObject? {
    guard let position = index[key] else { return nil }
    return objects[position]
  }
}
