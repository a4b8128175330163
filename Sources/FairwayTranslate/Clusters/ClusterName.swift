/// Istio's cluster naming: `outbound|PORT|SUBSET|HOST` and `inbound|PORT||`.
enum ClusterName {
  static func outbound(port: UInt32, subset: String = "", host: String) -> String {
    "outbound|\(port)|\(subset)|\(host)"
  }

  static func inbound(port: UInt32) -> String { "inbound|\(port)||" }

  /// Sidecars send traffic for unknown destinations here (Istio's ALLOW_ANY).
  static let passthrough = "PassthroughCluster"
  /// Traffic that must go nowhere.
  static let blackHole = "BlackHoleCluster"
}
