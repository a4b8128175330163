import FairwayTranslate

/// Name -> version of the resources a stream has sent, with a set version kept up to date as
/// entries change, so an update of k resources costs O(k) and not a sort and hash of the
/// whole set on every response (a sidecar holds thousands of assignments).
///
/// The set version is `ContentHash.setVersion`'s: order-independent, so it is adjusted per
/// entry.
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
      if let old = versions[name] { sum &-= ContentHash.pairHash(name: name, version: old) }
      versions[name] = newValue
      if let newValue { sum &+= ContentHash.pairHash(name: name, version: newValue) }
    }
  }

  mutating func removeValue(forKey name: String) {
    self[name] = nil
  }

  /// Keeps only the names `keep` accepts.
  mutating func filter(_ keep: (String) -> Bool) {
    for name in Array(versions.keys) where !keep(name) { self[name] = nil }
  }

  /// The version of the whole set, for `version_info` / `system_version_info`; the same as
  /// `ContentHash.setVersion` of these pairs.
  var setVersion: String { ContentHash.setVersion(count: versions.count, pairSum: sum) }
}
