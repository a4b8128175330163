/// The Kubernetes object metadata Fairway keeps. Name and namespace live in `ConfigKey`.
public struct ConfigMetadata: Sendable, Equatable {
  public var labels: [String: String]
  public var annotations: [String: String]
  /// The store revision at which this object last changed, as a decimal string.
  /// On input it is an optimistic-concurrency precondition.
  public var resourceVersion: String?
  /// Incremented each time the spec changes, starting at 1.
  public var generation: Int64
  /// RFC 3339 time of creation, set by the store.
  public var creationTimestamp: String?

  public init(
    labels: [String: String] = [:],
    annotations: [String: String] = [:],
    resourceVersion: String? = nil,
    generation: Int64 = 0,
    creationTimestamp: String? = nil
  ) {
    self.labels = labels
    self.annotations = annotations
    self.resourceVersion = resourceVersion
    self.generation = generation
    self.creationTimestamp = creationTimestamp
  }
}
