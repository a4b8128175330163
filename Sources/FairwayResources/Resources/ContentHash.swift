/// 64-bit FNV-1a content hash used for resource versions.
///
/// Versions only need to change when bytes change and be stable across restarts and replicas;
/// FNV-1a is deterministic (unlike `Hasher`, which is seeded per process) and cheap.
package enum ContentHash {
  package static func value(of bytes: some Sequence<UInt8>, seed: UInt64 = 0xcbf2_9ce4_8422_2325)
    -> UInt64
  {
    var hash = seed
    for byte in bytes {
      hash ^= UInt64(byte)
      hash &*= 0x0000_0100_0000_01b3
    }
    return hash
  }

  package static func hex(of bytes: some Sequence<UInt8>) -> String {
    hex(value(of: bytes))
  }

  package static func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }

  /// The version of a set of named resources. It changes exactly when a member is added,
  /// removed or changed. It is a hash of the count and of a wrapping sum of one hash per
  /// (name, version) pair. Being order-independent, it needs no sort and can be kept up to date
  /// one entry at a time (`setVersion(count:pairSum:)`).
  package static func setVersion(_ versions: [String: String]) -> String {
    var sum: UInt64 = 0
    for (name, version) in versions { sum &+= pairHash(name: name, version: version) }
    return setVersion(count: versions.count, pairSum: sum)
  }

  /// `setVersion` of the resources' (name, version) pairs, without building a dictionary.
  package static func setVersion(of resources: some Collection<EncodedResource>) -> String {
    setVersion(count: resources.count, pairSum: pairSum(of: resources))
  }

  /// The members' `pairHash`es summed: the order-independent part of a set version.
  package static func pairSum(of resources: some Sequence<EncodedResource>) -> UInt64 {
    var sum: UInt64 = 0
    for resource in resources {
      sum &+= pairHash(name: resource.name, version: resource.version)
    }
    return sum
  }

  /// One member's share of a set version.
  package static func pairHash(name: String, version: String) -> UInt64 {
    // A separator byte keeps ("ab", "c") and ("a", "bc") apart.
    value(of: version.utf8, seed: value(of: [0], seed: value(of: name.utf8)))
  }

  package static func setVersion(count: Int, pairSum: UInt64) -> String {
    hex(value(of: String(count).utf8, seed: pairSum))
  }
}
