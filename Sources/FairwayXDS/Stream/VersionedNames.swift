import FairwayTranslate

/// Name -> version of the resources a stream has sent, with a set version kept up to date as
/// entries change, so an update of k resources costs O(k) and not a sort and hash of the
/// whole set on every response (a sidecar holds thousands of assignments).
///
/// The set version is a wrapping sum of one hash per (name, version) pair: order-independent,
/// so it can be adjusted per entry, and it changes whenever a member is added, removed or
/// changed.
struct VersionedNames: Sendable, Equatable {
  private(set) var versions: [String: String] = [:]
  private var sum: UInt64 = 0

  init() {}

  init(_ resources: some Sequence<EncodedResource>) {
    for resource in resources { self[resource.name] = resource.version }
  }

  var count: Int { versions.count }
  var keys: Dictionary<String, String>.Keys { versions.keys }

  subscript(name: String) -> String? {
    get { versions[name] }
    set {
      if let old = versions[name] { sum &-= Self.pairHash(name, old) }
      versions[name] = newValue
      if let newValue { sum &+= Self.pairHash(name, newValue) }
    }
  }

  mutating func removeValue(forKey name: String) {
    self[name] = nil
  }

  /// Keeps only the names `keep` accepts.
  mutating func filter(_ keep: (String) -> Bool) {
    for name in Array(versions.keys) where !keep(name) { self[name] = nil }
  }

  /// The version of the whole set, for `version_info` / `system_version_info`.
  var setVersion: String {
    ContentHash.hex(ContentHash.value(of: String(versions.count).utf8, seed: sum))
  }

  private static func pairHash(_ name: String, _ version: String) -> UInt64 {
    // A separator byte keeps ("ab", "c") and ("a", "bc") apart.
    ContentHash.value(
      of: version.utf8, seed: ContentHash.value(of: [0], seed: ContentHash.value(of: name.utf8)))
  }
}
