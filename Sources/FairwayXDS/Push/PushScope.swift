import FairwayMesh
import FairwayResources
import Foundation

/// What a batch of config changes can alter: which xDS types, and for EDS which clusters.
/// Scopes merge, so a debounced batch or a stream's pending push is one scope.
public struct PushScope: Sendable, Equatable {
  public var types: Set<XDSResourceType>
  /// For EDS, the only cluster names whose endpoints can have changed; nil means any.
  public var endpointClusters: Set<String>?
  /// The configs that changed, for `/debug/push_status`.
  public var configs: Set<ConfigKey>
  /// When the earliest change in the batch reached the store: convergence is measured from here.
  var firstChange: ContinuousClock.Instant
  var lastChange: ContinuousClock.Instant
  /// The highest store revision among the changes (0 for a push on demand): every change up to
  /// it is in this scope or was pushed before it, since changes arrive in revision order.
  public var revision: Int64
  /// Which proxies the changes can alter; nil means every one.
  public var reach: ProxyReach?
  /// The types for a proxy taking its virtual hosts by VHDS, when fewer than `types` (see
  /// `ChangeScope.vhdsTypes`); nil: `types`.
  public var vhdsTypes: Set<XDSResourceType>?

  public init(
    types: Set<XDSResourceType>, endpointClusters: Set<String>? = nil,
    configs: Set<ConfigKey> = [], revision: Int64 = 0, at instant: ContinuousClock.Instant = .now,
    reach: ProxyReach? = nil, vhdsTypes: Set<XDSResourceType>? = nil
  ) {
    self.reach = reach
    self.vhdsTypes = vhdsTypes.flatMap { $0 == types ? nil : $0 }
    self.types = types
    self.endpointClusters = endpointClusters
    self.configs = configs
    self.revision = revision
    self.firstChange = instant
    self.lastChange = instant
  }

  /// Only endpoints may have changed: such pushes may skip the debounce.
  var isEndpointOnly: Bool { types == [.endpoint] }

  public mutating func merge(_ other: PushScope) {
    let bothLimited = endpointClusters != nil || !types.contains(.endpoint)
    let otherLimited = other.endpointClusters != nil || !other.types.contains(.endpoint)
    if bothLimited, otherLimited {
      let mine = endpointClusters ?? []
      let theirs = other.endpointClusters ?? []
      endpointClusters =
        types.contains(.endpoint) || other.types.contains(.endpoint) ? mine.union(theirs) : nil
    } else {
      endpointClusters = nil
    }
    if vhdsTypes != nil || other.vhdsTypes != nil {
      let merged = (vhdsTypes ?? types).union(other.vhdsTypes ?? other.types)
      vhdsTypes = merged == types.union(other.types) ? nil : merged
    }
    types.formUnion(other.types)
    reach = ProxyReach.union(reach, other.reach)
    configs.formUnion(other.configs)
    revision = max(revision, other.revision)
    firstChange = min(firstChange, other.firstChange)
    lastChange = max(lastChange, other.lastChange)
  }

  /// This push as one proxy receives it: a VHDS proxy only its own types.
  public func narrowed(for proxy: Proxy) -> PushScope {
    guard proxy.routeDelivery.usesVHDS, let vhdsTypes else { return self }
    var copy = self
    copy.types = vhdsTypes
    copy.vhdsTypes = nil
    if !vhdsTypes.contains(.endpoint) { copy.endpointClusters = nil }
    return copy
  }

  /// This scope and `other` as one push.
  public func merged(with other: PushScope) -> PushScope {
    var copy = self
    copy.merge(other)
    return copy
  }

  /// Which config kinds triggered this push, with counts (`pilot_push_triggers`).
  public var triggers: [String: Int] {
    var counts: [String: Int] = [:]
    for key in configs { counts[key.kind.rawValue, default: 0] += 1 }
    return counts
  }
}
