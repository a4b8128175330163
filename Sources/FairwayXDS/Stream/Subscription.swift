import FairwayResources

/// What one stream subscribes to for one resource type, in either protocol variant: the
/// wildcard, the names (a set shared through `SubscriptionSets` where it pays) and their bytes.
///
/// SotW replaces the whole list with every request (`replace(with:)`); Delta adds and removes
/// names (`update(subscribe:unsubscribe:first:)`). The wildcard rules are the xDS protocol's
/// ("How the client specifies what resources to return", XDS-NOTES §1): a stream that never
/// named a resource of a Listener or Cluster type is a wildcard ("legacy wildcard"), and "*"
/// names the wildcard explicitly.
struct Subscription: Sendable, Equatable {
  /// Listener and Cluster: the types with a legacy (implicit) wildcard.
  let allowsWildcard: Bool
  private(set) var wildcard = false
  /// The names subscribed; never "*" where "*" means the wildcard.
  private(set) var names: Set<String> = []
  /// UTF-8 bytes of `names`, kept as the set changes (the per-stream cap counts them).
  private(set) var bytes = 0
  /// Whether the client ever named a resource ("*" included): from then on an empty list means
  /// no resources, not the legacy wildcard.
  private(set) var namesEverSent = false
  /// SotW: the last request's list as sent, so an ACK repeating it skips all set work.
  private var lastList: [String]?

  init(type: XDSResourceType) {
    allowsWildcard = type.allowsWildcard
  }

  /// SotW: the request's `resource_names` become the subscription. Returns whether what the
  /// stream subscribes to (wildcard or names) changed.
  mutating func replace(with list: [String]) -> Bool {
    // Envoy repeats every subscribed name in each ACK: the same list as last time cannot change
    // anything, so the O(names) set work is skipped (the hot path of a synced sidecar).
    if let lastList, lastList == list { return false }
    lastList = list
    if !list.isEmpty { namesEverSent = true }
    let before = (wildcard, names)
    if allowsWildcard { wildcard = !namesEverSent || list.contains("*") }
    // Shared with every stream subscribing to the same list (see `SubscriptionSets`).
    names = SubscriptionSets.shared.set(of: list, droppingWildcard: allowsWildcard)
    guard before.0 != wildcard || before.1 != names else { return false }
    bytes = Self.bytes(of: names)
    return true
  }

  /// What a Delta request changed, for the state that tracks what the client holds.
  struct DeltaChange {
    /// The whole subscription when this request built it at once from a long list (shared
    /// with every stream that sent the same list); nil when names were added one by one.
    var builtAtOnce: Set<String>?
    /// Names the client stops holding: unsubscribed while no wildcard still covers them.
    var dropped: [String] = []
  }

  /// Delta: `resource_names_subscribe` adds names and `resource_names_unsubscribe` removes
  /// them; "*" subscribes to / unsubscribes from the wildcard (for every type, as Delta always
  /// did). On the first request for a type, subscribing to nothing is the legacy wildcard.
  mutating func update(subscribe: [String], unsubscribe: [String], first: Bool) -> DeltaChange {
    var change = DeltaChange()
    if first { wildcard = allowsWildcard && subscribe.isEmpty }
    if !subscribe.isEmpty { namesEverSent = true }
    var edited = !unsubscribe.isEmpty
    if names.isEmpty, subscribe.count >= SubscriptionSets.minimumCount {
      // A first subscription to a long list (a sidecar's EDS names): the set shared by every
      // stream that sent the same list, instead of a private set built name by name.
      let set = SubscriptionSets.shared.set(of: subscribe, droppingWildcard: true)
      if set.count < subscribe.count, subscribe.contains("*") { wildcard = true }
      names = set
      bytes = Self.bytes(of: set)
      change.builtAtOnce = set
    } else {
      for name in subscribe {
        if name == "*" {
          wildcard = true
        } else if names.insert(name).inserted {
          bytes += name.utf8.count
        }
      }
      edited = edited || !subscribe.isEmpty
    }
    for name in unsubscribe {
      if name == "*" {
        wildcard = false
        continue
      }
      if names.remove(name) != nil { bytes -= name.utf8.count }
      // Checked name by name, in request order: a "*" later in the list drops only later names.
      if !wildcard { change.dropped.append(name) }
    }
    // Shared with every stream holding the same subscription (see `SubscriptionSets`).
    if edited { names = SubscriptionSets.shared.interned(names) }
    return change
  }

  private static func bytes(of names: Set<String>) -> Int {
    names.reduce(0) { $0 + $1.utf8.count }
  }
}
