/// How far one store change can reach: which xDS types, and for EDS which clusters.
public struct ChangeScope: Sendable, Equatable {
  public var types: Set<XDSResourceType>
  /// For EDS, the only cluster names whose endpoints can have changed; nil means any.
  public var endpointClusters: Set<String>?
  /// Which proxies the change can alter; nil means every one.
  public var reach: ProxyReach?

  public init(
    types: Set<XDSResourceType>, endpointClusters: Set<String>? = nil, reach: ProxyReach? = nil
  ) {
    self.types = types
    self.endpointClusters = endpointClusters
    self.reach = reach
  }

  /// Every type, every cluster: what a change the engine cannot judge reaches.
  public static var everything: ChangeScope { ChangeScope(types: Set(XDSResourceType.allCases)) }
}
