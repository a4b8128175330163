/// 64-bit FNV-1a content hash used for resource versions.
///
/// Versions only need to change when bytes change and be stable across restarts and replicas;
/// FNV-1a is deterministic (unlike `Hasher`, which is seeded per process) and cheap.
public enum ContentHash {
  public static func value(of bytes: some Sequence<UInt8>, seed: UInt64 = 0xcbf2_9ce4_8422_2325)
    -> UInt64
  {
    var hash = seed
    for byte in bytes {
      hash ^= UInt64(byte)
      hash &*= 0x0000_0100_0000_01b3
    }
    return hash
  }

  public static func hex(of bytes: some Sequence<UInt8>) -> String {
    hex(value(of: bytes))
  }

  public static func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }

  /// The version of a set of named resources: a hash over (name, version) in name order, so it
  /// changes exactly when a member is added, removed or changed.
  public static func setVersion(_ versions: [String: String]) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for name in versions.keys.sorted() {
      hash = value(of: name.utf8, seed: hash)
      hash = value(of: (versions[name] ?? "").utf8, seed: hash)
    }
    return hex(hash)
  }
}
