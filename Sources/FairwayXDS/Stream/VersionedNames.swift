import FairwayResources

/// Name -> version of the resources a stream has sent, with a set version kept up to date as
/// entries change, so an update of k resources costs O(k) and not a sort and hash of the
/// whole set on every response (a sidecar holds thousands of assignments).
///
/// Kept as a shared `base` set plus this stream's differences from it. A sidecar usually holds
/// exactly the translator's set for its view, the same set thousands of other streams hold:
/// `rebase(onto:)` makes the stream point at that set instead of keeping its own map, so a
/// synced stream costs O(differences), not O(resources). (The private maps were the largest
/// part of the server's memory at 2,000 streams.)
///
/// The set version is `ContentHash.setVersion`'s: order-independent, so it is adjusted per
/// entry, and two holdings with the same count and pair sum have the same version.
struct VersionedNames: Sendable, Equatable {
  private var base: ResourceSet?
  /// Where this stream differs from `base`: the version it holds, or nil for a base name it
  /// does not hold.
  private var overrides: [String: String?] = [:]
  private(set) var count = 0
  private var sum: UInt64 = 0

  init() {}

  init(_ resources: some Sequence<EncodedResource>) {
    for resource in resources { self[resource.name] = resource.version }
  }

  /// Holding exactly `set`.
  init(holding set: ResourceSet) {
    base = set
    count = set.count
    sum = set.pairSum
  }

  subscript(name: String) -> String? {
    get {
      if let override = overrides[name] { return override }
      return base?[name]?.version
    }
    set {
      let old = self[name]
      guard old != newValue else { return }
      if let old {
        sum &-= ContentHash.pairHash(name: name, version: old)
        count -= 1
      }
      if let newValue {
        sum &+= ContentHash.pairHash(name: name, version: newValue)
        count += 1
      }
      if base?[name]?.version == newValue {
        overrides.removeValue(forKey: name)
      } else {
        overrides.updateValue(newValue, forKey: name)
      }
    }
  }

  mutating func removeValue(forKey name: String) {
    self[name] = nil
  }

  /// The set held, when the stream holds exactly one set's members at its versions (the
  /// usual state after a response: `record` rebases onto what was sent from).
  var heldSet: ResourceSet? { overrides.isEmpty ? base : nil }

  /// Every name held, in no particular order.
  var names: [String] {
    var names: [String] = []
    names.reserveCapacity(count)
    if let base {
      for name in base.names where overrides[name] == nil { names.append(name) }
    }
    for (name, version) in overrides where version != nil { names.append(name) }
    return names
  }

  /// Records that the client was sent `sent` (members of `set`) and told `removed` are gone.
  /// When that leaves it holding exactly `set` (a first full answer, a resend of everything),
  /// the stream shares the set instead of recording thousands of names one by one.
  mutating func record(sent: [EncodedResource], removed: [String], from set: ResourceSet) {
    // `sent` holds distinct members of `set`: at the same count it is all of them.
    if sent.count == set.count, !holdsAny(outside: set, except: removed) {
      self = VersionedNames(holding: set)
      return
    }
    for resource in sent { self[resource.name] = resource.version }
    for name in removed { removeValue(forKey: name) }
    rebase(onto: set)
  }

  /// Whether any name held is neither in `set` nor among `excepted`.
  private func holdsAny(outside set: ResourceSet, except excepted: [String]) -> Bool {
    guard count > 0 else { return false }
    let excepted = Set(excepted)
    return names.contains { set[$0] == nil && !excepted.contains($0) }
  }

  /// Keeps only the names `keep` accepts.
  mutating func filter(_ keep: (String) -> Bool) {
    for name in names where !keep(name) { self[name] = nil }
  }

  /// Shares `set`'s storage when this holds exactly its members: same count and pair sum,
  /// the two things a set version is made of, checked in O(1) (the set's sum is computed once
  /// for every stream that holds it).
  mutating func rebase(onto set: ResourceSet) {
    guard count == set.count, sum == set.pairSum else { return }
    base = set
    overrides = [:]
  }

  /// The version of the whole set, for `version_info` / `system_version_info`; the same as
  /// `ContentHash.setVersion` of these pairs.
  var setVersion: String {
    // The held set's own version, computed once for every stream that holds it.
    if overrides.isEmpty, let base { return base.version }
    return ContentHash.setVersion(count: count, pairSum: sum)
  }

  static func == (lhs: Self, rhs: Self) -> Bool {
    guard lhs.count == rhs.count, lhs.sum == rhs.sum else { return false }
    return lhs.names.allSatisfy { lhs[$0] == rhs[$0] }
  }
}
