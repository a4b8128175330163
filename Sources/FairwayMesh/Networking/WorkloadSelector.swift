/// Selects workloads (WorkloadEntries, pods) by label.
public struct WorkloadSelector: Sendable, Equatable, Codable {
  public var labels: [String: String]?
  /// DestinationRule's selector (`istio.type.v1beta1.WorkloadSelector`) names its labels
  /// `matchLabels`; the networking kinds say `labels`.
  public var matchLabels: [String: String]?

  public init(labels: [String: String]? = nil, matchLabels: [String: String]? = nil) {
    self.labels = labels
    self.matchLabels = matchLabels
  }
}
