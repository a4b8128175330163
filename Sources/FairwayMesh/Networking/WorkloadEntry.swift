/// `networking.istio.io` WorkloadEntry spec: one non-Kubernetes workload. The same shape
/// is used for ServiceEntry endpoints.
public struct WorkloadEntry: Sendable, Equatable, Codable {
  public var address: String?
  /// Port name (from the ServiceEntry) to the port the workload listens on.
  public var ports: [String: Int]?
  public var labels: [String: String]?
  public var network: String?
  /// `region/zone/subzone`.
  public var locality: String?
  /// Load-balancing weight; absent means 1.
  public var weight: Int?
  public var serviceAccount: String?

  public init() {}
}
