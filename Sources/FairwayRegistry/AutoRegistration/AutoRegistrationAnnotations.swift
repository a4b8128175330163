/// The annotations istiod writes on auto-registered WorkloadEntries, and Fairway's owner mark.
enum AutoRegistrationAnnotations {
  /// The WorkloadGroup the entry was made from; its presence is what makes an entry
  /// auto-registered (istiod's `isAutoRegisteredWorkloadEntry`).
  static let group = "istio.io/autoRegistrationGroup"
  /// The control plane instance holding the proxy's stream.
  static let controller = "istio.io/workloadController"
  /// When the proxy's current connection began (RFC 3339 with nanoseconds); absent while
  /// disconnected.
  static let connectedAt = "istio.io/connectedAt"
  /// When the proxy's last stream ended; absent while connected.
  static let disconnectedAt = "istio.io/disconnectedAt"
  /// Fairway's stand-in for istiod's owner reference to the group: the source that owns the
  /// object, so people and tools can tell it is generated.
  static let managedBy = "fairway.io/managed-by"
  static let managedByValue = "auto-registration"
}
