/// Selects workloads (WorkloadEntries, pods) by label.
public struct WorkloadSelector: Sendable, Equatable, Codable {
  public var labels: [String: String]?

  public init(labels: [String: String]? = nil) { self.labels = labels }
}
