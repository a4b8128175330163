import FairwayMesh

/// The store's objects in a fixed number of dictionaries by key hash.
///
/// A snapshot or a list takes a copy-on-write copy of the objects under the lock and reads it
/// outside. With one dictionary, a write landing meanwhile (e.g. while a push builds its
/// snapshot of 25,000 objects) copied the whole dictionary under the lock, O(store) for an
/// O(1) change; with shards it copies the shard table and one shard.
struct ShardedObjects: Sendable {
  private static let shardCount = 64
  private var shards = [[ConfigKey: ConfigObject]](repeating: [:], count: shardCount)
  private(set) var count = 0

  private static func shard(_ key: ConfigKey) -> Int {
    Int(UInt(bitPattern: key.hashValue) % UInt(shardCount))
  }

  subscript(key: ConfigKey) -> ConfigObject? {
    get { shards[Self.shard(key)][key] }
    set {
      let shard = Self.shard(key)
      let old: ConfigObject?
      if let newValue {
        old = shards[shard].updateValue(newValue, forKey: key)
      } else {
        old = shards[shard].removeValue(forKey: key)
      }
      count += (newValue == nil ? 0 : 1) - (old == nil ? 0 : 1)
    }
  }

  /// Every object, in no particular order.
  var values: some Sequence<ConfigObject> { shards.lazy.flatMap(\.values) }
}
