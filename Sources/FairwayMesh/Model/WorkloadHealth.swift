/// Whether a WorkloadEntry may serve traffic, from its annotations.
///
/// istiod keeps a health-checked entry's state in a `Healthy` status condition and treats an
/// unhealthy entry as deleted (its endpoints disappear). Fairway has no status subresource, so
/// the condition is an annotation the auto-registration controller writes when the proxy reports
/// health over ADS; the translator reads it here.
public enum WorkloadHealth {
  /// Istio's opt-in: `"true"` makes the entry serve only while healthy.
  public static let checksEnabledAnnotation = "proxy.istio.io/health-checks-enabled"
  /// Fairway's stand-in for istiod's `Healthy` condition: `"true"` or `"false"`.
  public static let healthyAnnotation = "fairway.io/healthy"
  /// The proxy's `error_detail` message while it reports itself unhealthy.
  public static let messageAnnotation = "fairway.io/health-message"

  /// True when the entry is not health checked, or is and its last report was healthy. A
  /// health-checked entry with no report yet is not serving (as istiod: no condition, no
  /// traffic).
  public static func isServing(_ metadata: ConfigMetadata) -> Bool {
    guard metadata.annotations[checksEnabledAnnotation] == "true" else { return true }
    return metadata.annotations[healthyAnnotation] == "true"
  }
}
