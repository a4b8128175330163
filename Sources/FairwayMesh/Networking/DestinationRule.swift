/// `networking.istio.io` DestinationRule spec: policies applied after routing, and the
/// named subsets routes refer to.
public struct DestinationRule: Sendable, Equatable, Codable {
  public var host: String?
  public var trafficPolicy: TrafficPolicy?
  public var subsets: [Subset]?
  public var exportTo: [String]?
  public var workloadSelector: WorkloadSelector?

  public init() {}
}
