/// `networking.istio.io` ServiceEntry spec: adds a service (in or outside the mesh) to
/// the registry, with its ports and how its endpoints are found.
public struct ServiceEntry: Sendable, Equatable, Codable {
  public var hosts: [String]?
  public var addresses: [String]?
  public var ports: [ServicePort]?
  /// `MESH_EXTERNAL` or `MESH_INTERNAL`.
  public var location: String?
  /// `NONE`, `STATIC`, `DNS` or `DNS_ROUND_ROBIN`.
  public var resolution: String?
  public var endpoints: [WorkloadEntry]?
  public var workloadSelector: WorkloadSelector?
  public var exportTo: [String]?
  public var subjectAltNames: [String]?

  public init() {}

  /// The resolution, defaulting to `NONE` as Istio does.
  public var effectiveResolution: String { resolution ?? "NONE" }
}
