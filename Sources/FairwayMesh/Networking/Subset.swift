/// A named group of a service's endpoints, selected by labels.
public struct Subset: Sendable, Equatable, Codable {
  public var name: String?
  public var labels: [String: String]?
  public var trafficPolicy: TrafficPolicy?

  public init(name: String? = nil, labels: [String: String]? = nil) {
    self.name = name
    self.labels = labels
  }
}
