import FairwayMesh

/// The traffic policy that applies to one cluster, after Istio's merge order: the rule's
/// top-level policy, its port-level settings for the port, then the subset's policy and the
/// subset's port-level settings, each field replacing the one before when set.
struct EffectivePolicy: Sendable, Equatable {
  var loadBalancer: LoadBalancerSettings?
  var connectionPool: ConnectionPoolSettings?
  var outlierDetection: OutlierDetection?
  var tls: ClientTLSSettings?

  init(rule: DestinationRule?, subset: Subset?, port: UInt32) {
    apply(rule?.trafficPolicy, port: port)
    apply(subset?.trafficPolicy, port: port)
  }

  private mutating func apply(_ policy: TrafficPolicy?, port: UInt32) {
    guard let policy else { return }
    if let value = policy.loadBalancer { loadBalancer = value }
    if let value = policy.connectionPool { connectionPool = value }
    if let value = policy.outlierDetection { outlierDetection = value }
    if let value = policy.tls { tls = value }
    let portLevel = (policy.portLevelSettings ?? []).first { $0.port?.number == Int(port) }
    guard let portLevel else { return }
    if let value = portLevel.loadBalancer { loadBalancer = value }
    if let value = portLevel.connectionPool { connectionPool = value }
    if let value = portLevel.outlierDetection { outlierDetection = value }
    if let value = portLevel.tls { tls = value }
  }
}
