/// How far one store change can reach: which xDS types, and for EDS which clusters.
public struct ChangeScope: Sendable, Equatable {
  public var types: Set<XDSResourceType>
  /// For EDS, the only cluster names whose endpoints can have changed; nil means any.
  public var endpointClusters: Set<String>?
  /// Which proxies the change can alter; nil means every one.
  public var reach: ProxyReach?
  /// The types for a proxy that takes its virtual hosts by VHDS, when fewer than `types`: its
  /// route configurations hold no host and its listeners never depend on routes, so a route
  /// change is VirtualHost resources alone. Nil: `types`.
  public var vhdsTypes: Set<XDSResourceType>?

  public init(
    types: Set<XDSResourceType>, endpointClusters: Set<String>? = nil, reach: ProxyReach? = nil,
    vhdsTypes: Set<XDSResourceType>? = nil
  ) {
    self.types = types
    self.endpointClusters = endpointClusters
    self.reach = reach
    self.vhdsTypes = vhdsTypes.flatMap { $0 == types ? nil : $0 }
  }

  /// The types this change can alter for a proxy taking its routes by `delivery`.
  public func types(for delivery: RouteDelivery) -> Set<XDSResourceType> {
    delivery.usesVHDS ? vhdsTypes ?? types : types
  }

  /// Every type, every cluster: what a change the engine cannot judge reaches.
  public static var everything: ChangeScope { ChangeScope(types: Set(XDSResourceType.allCases)) }
}
