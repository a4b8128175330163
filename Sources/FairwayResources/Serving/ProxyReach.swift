/// Which proxies one change can alter, beyond which types: every proxy of some namespaces
/// (a Sidecar change), and every proxy that sees one of some service hosts (a ServiceEntry,
/// VirtualService or DestinationRule change). A translation judges each proxy against it with
/// `MeshTranslation.reaches(_:_:)`: a proxy whose Sidecar scope admits none of the hosts, or
/// whose namespace they are not exported to, is pushed nothing.
public struct ProxyReach: Sendable, Hashable {
  /// A service host a change touches.
  public struct Target: Sendable, Hashable {
    /// The resolved host, or a wildcard pattern (which reaches every proxy it is exported to).
    public var host: String
    /// The namespace of the service behind `host`; nil when unknown (reaches every scope).
    public var namespace: String?
    /// The namespaces the changed config is exported to, before or after; nil: all of them.
    public var exportedTo: Set<String>?

    public init(host: String, namespace: String?, exportedTo: Set<String>?) {
      self.host = host
      self.namespace = namespace
      self.exportedTo = exportedTo
    }
  }

  /// Proxies of one namespace whose labels include all of `labels` (a Sidecar's selector).
  public struct Selector: Sendable, Hashable {
    public var namespace: String
    public var labels: [String: String]

    public init(namespace: String, labels: [String: String]) {
      self.namespace = namespace
      self.labels = labels
    }

    public func selects(_ proxy: Proxy) -> Bool {
      proxy.namespace == namespace && labels.allSatisfy { proxy.labels[$0.key] == $0.value }
    }
  }

  public var targets: Set<Target>
  /// Namespaces every proxy of which is reached.
  public var namespaces: Set<String>
  /// Proxies reached by their labels.
  public var selectors: Set<Selector>

  public init(
    targets: Set<Target> = [], namespaces: Set<String> = [], selectors: Set<Selector> = []
  ) {
    self.targets = targets
    self.namespaces = namespaces
    self.selectors = selectors
  }

  /// Both reaches as one (a merged push reaches what either does).
  public mutating func formUnion(_ other: ProxyReach) {
    targets.formUnion(other.targets)
    namespaces.formUnion(other.namespaces)
    selectors.formUnion(other.selectors)
  }

  /// The union of two optional reaches, nil (every proxy) when either is.
  public static func union(_ lhs: ProxyReach?, _ rhs: ProxyReach?) -> ProxyReach? {
    guard var lhs, let rhs else { return nil }
    lhs.formUnion(rhs)
    return lhs
  }
}
