/// `networking.istio.io` WorkloadGroup spec: the template auto-registered workloads (VMs) are
/// made from, and how their health is checked.
///
/// A proxy whose node metadata names the group (`AUTO_REGISTER_GROUP`) gets a WorkloadEntry
/// built from `template` when it connects; `probe`, when set, marks those entries as health
/// checked, so they serve only while the proxy reports itself healthy.
public struct WorkloadGroup: Sendable, Equatable, Codable {
  /// Labels and annotations copied onto every generated WorkloadEntry.
  public struct ObjectMeta: Sendable, Equatable, Codable {
    public var labels: [String: String]?
    public var annotations: [String: String]?

    public init(labels: [String: String]? = nil, annotations: [String: String]? = nil) {
      self.labels = labels
      self.annotations = annotations
    }
  }

  public var metadata: ObjectMeta?
  /// The WorkloadEntry every member starts from; its address is the proxy's.
  public var template: WorkloadEntry?
  public var probe: ReadinessProbe?

  public init(
    metadata: ObjectMeta? = nil, template: WorkloadEntry? = nil, probe: ReadinessProbe? = nil
  ) {
    self.metadata = metadata
    self.template = template
    self.probe = probe
  }
}
