/// Istio's cluster naming: `outbound|PORT|SUBSET|HOST` and `inbound|PORT||`.
public enum ClusterName {
  public static func outbound(port: UInt32, subset: String = "", host: String) -> String {
    "outbound|\(port)|\(subset)|\(host)"
  }

  public static func inbound(port: UInt32) -> String { "inbound|\(port)||" }

  /// Sidecars send traffic for unknown destinations here (Istio's ALLOW_ANY).
  public static let passthrough = "PassthroughCluster"
  /// Traffic that must go nowhere.
  public static let blackHole = "BlackHoleCluster"
}
