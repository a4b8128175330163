import FairwayMesh

/// Where configs live in etcd: `<prefix><kind>/<namespace>/<name>`, plus one marker key
/// every write also puts, so the newest mod revision under the prefix is the revision of
/// the last Fairway change (the store revision), the same on every replica.
struct EtcdKeyspace: Sendable {
  let prefix: String

  /// Kinds start with a letter, so this never names a config.
  var marker: [UInt8] { Array((prefix + ".revision").utf8) }

  func key(_ key: ConfigKey) -> [UInt8] {
    Array("\(prefix)\(key.kind.rawValue)/\(key.namespace)/\(key.name)".utf8)
  }

  /// The config key an etcd key names; nil for the marker and foreign keys.
  func configKey(_ bytes: some Collection<UInt8>) -> ConfigKey? {
    guard let text = String(validating: bytes, as: UTF8.self), text.hasPrefix(prefix) else {
      return nil
    }
    let parts = text.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 3, let kind = ConfigKind(rawValue: String(parts[0])) else { return nil }
    return ConfigKey(kind: kind, namespace: String(parts[1]), name: String(parts[2]))
  }

  /// The end of the range holding every key with the prefix (etcd's "prefix + 1").
  var rangeEnd: [UInt8] {
    var end = Array(prefix.utf8)
    while let last = end.last {
      if last < 0xFF {
        end[end.count - 1] = last + 1
        return end
      }
      end.removeLast()
    }
    return [0]
  }
}
