/// Load balancer algorithm: either `simple` or `consistentHash`, plus locality settings.
public struct LoadBalancerSettings: Sendable, Equatable, Codable {
  /// Hash-based affinity. Exactly one hash key source should be set.
  public struct ConsistentHash: Sendable, Equatable, Codable {
    /// Cookie used as the hash key; generated with `ttl` when absent.
    public struct HTTPCookie: Sendable, Equatable, Codable {
      public var name: String?
      public var path: String?
      public var ttl: IstioDuration?

      public init() {}
    }

    /// Ring hash table options.
    public struct RingHash: Sendable, Equatable, Codable {
      public var minimumRingSize: Int?

      public init() {}
    }

    /// Maglev table options.
    public struct Maglev: Sendable, Equatable, Codable {
      public var tableSize: Int?

      public init() {}
    }

    public var httpHeaderName: String?
    public var httpCookie: HTTPCookie?
    public var useSourceIp: Bool?
    public var httpQueryParameterName: String?
    public var ringHash: RingHash?
    public var maglev: Maglev?
    /// Deprecated; use `ringHash.minimumRingSize`.
    public var minimumRingSize: Int?

    public init() {}
  }

  /// Locality-aware weighting and failover.
  public struct LocalityLbSetting: Sendable, Equatable, Codable {
    /// Share of traffic from locality `from` sent to each locality in `to` (weights sum to 100).
    public struct Distribute: Sendable, Equatable, Codable {
      public var from: String?
      public var to: [String: Int]?

      public init() {}
    }

    /// Region to fail over to when `from` has no healthy endpoints.
    public struct Failover: Sendable, Equatable, Codable {
      public var from: String?
      public var to: String?

      public init() {}
    }

    public var distribute: [Distribute]?
    public var failover: [Failover]?
    public var failoverPriority: [String]?
    public var enabled: Bool?

    public init() {}
  }

  /// `UNSPECIFIED`, `RANDOM`, `PASSTHROUGH`, `ROUND_ROBIN`, `LEAST_REQUEST` or `LEAST_CONN`.
  public var simple: String?
  public var consistentHash: ConsistentHash?
  public var localityLbSetting: LocalityLbSetting?
  public var warmupDurationSecs: IstioDuration?

  public init() {}
}
