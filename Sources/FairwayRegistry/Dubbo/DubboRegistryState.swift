/// What the registry knows from ZooKeeper, as a value: per interface, the provider nodes last
/// listed (parsed once; a node that does not parse is kept as `nil`, so it is reported once),
/// which interfaces changed since the last write, and whether a full listing has completed.
struct DubboRegistryState: Sendable {
  typealias BadNode = (interface: String, node: String, error: DubboProviderURL.ParseError)

  private(set) var providers: [String: [String: DubboProviderURL?]] = [:]
  private(set) var dirty: Set<String> = []
  /// True once a full listing has replaced the state: before it, an interface missing from
  /// the state may simply not be read yet, so nothing is deleted.
  private(set) var synced = false

  var interfaces: Set<String> { Set(providers.keys) }

  /// Replaces one interface's provider nodes; returns the nodes that did not parse (new ones).
  mutating func setProviders(_ interface: String, nodes: [String]) -> [BadNode] {
    let old = providers[interface] ?? [:]
    var next: [String: DubboProviderURL?] = [:]
    var bad: [BadNode] = []
    for node in nodes {
      if let known = old[node] {
        next[node] = known
        continue
      }
      do {
        let provider = try DubboProviderURL.parse(node)
        if provider.interface != interface {
          bad.append((interface, node, .badInterface(provider.interface)))
          next[node] = .some(nil)
        } else {
          next[node] = provider
        }
      } catch {
        bad.append((interface, node, error))
        next[node] = .some(nil)
      }
    }
    if providers[interface] == nil || Set(old.keys) != Set(next.keys) { dirty.insert(interface) }
    providers[interface] = next
    return bad
  }

  mutating func removeInterface(_ interface: String) {
    if providers.removeValue(forKey: interface) != nil { dirty.insert(interface) }
  }

  /// A full listing (after connecting): interfaces gone are removed, every other one set.
  mutating func replaceAll(_ listing: [String: [String]]) -> [BadNode] {
    var bad: [BadNode] = []
    for interface in interfaces.subtracting(listing.keys) { removeInterface(interface) }
    for (interface, nodes) in listing { bad += setProviders(interface, nodes: nodes) }
    synced = true
    return bad
  }

  mutating func markDirty(_ interfaces: some Sequence<String>) {
    dirty.formUnion(interfaces)
  }

  mutating func markAllDirty() { dirty.formUnion(providers.keys) }

  /// The changed interfaces with their usable providers; clears the changed set.
  mutating func takeDirty() -> [String: [DubboProviderURL]] {
    var out: [String: [DubboProviderURL]] = [:]
    for interface in dirty {
      out[interface] = (providers[interface] ?? [:]).values.compactMap { $0 }
    }
    dirty = []
    return out
  }

  /// Usable providers over all interfaces.
  var providerCount: Int { providers.values.reduce(0) { $0 + $1.values.count { $0 != nil } } }
}
