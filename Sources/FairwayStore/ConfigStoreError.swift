import FairwayMesh

/// Failures of store operations.
public enum ConfigStoreError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The object carried a `resourceVersion` that is not the stored one (`actual` is nil
  /// when the object no longer exists).
  case conflict(key: ConfigKey, expected: String, actual: String?)
  /// No object is stored under the key.
  case notFound(ConfigKey)
  /// The change could not be made durable (e.g. the disk is full) and was not made; the
  /// message says whether the store still accepts writes.
  case notStored(String)
  /// The store's backend (e.g. etcd) could not be reached; the change was not acknowledged.
  /// Retryable: re-apply (with the `resourceVersion` read back, to be safe) once it is back.
  case unavailable(String)

  public var description: String {
    switch self {
    case .conflict(let key, let expected, let actual?):
      return
        "\(key): resourceVersion \(expected) is stale (current is \(actual)); get the latest version and try again"
    case .conflict(let key, let expected, nil):
      return "\(key): resourceVersion \(expected) given, but the object does not exist"
    case .notFound(let key):
      return "\(key) not found"
    case .notStored(let reason):
      return "not stored: \(reason)"
    case .unavailable(let reason):
      return "store unavailable: \(reason)"
    }
  }
}
