import Synchronization

/// Values derived from a resource set, each computed at most once and shared by reference by
/// every copy of the set: thousands of streams hold the same translator set. One object for
/// all of them, so a new set costs one allocation.
final class SetMemo: Sendable {
  private struct Values {
    var version: SetVersionValue?
    var sorted: SortedMembers?
    var resourcesField: [UInt8]?
    var deltaResourcesField: [UInt8]?
  }

  private let values: Mutex<Values>

  /// `version` may be given when it was derived from another set's (see `ResourceSet.updating`).
  init(version: SetVersionValue? = nil) {
    values = Mutex(Values(version: version))
  }

  /// The version if it has been computed, without computing it.
  var knownVersion: SetVersionValue? { values.withLock { $0.version } }

  func version(_ compute: () -> SetVersionValue) -> SetVersionValue {
    value(\.version, compute)
  }

  func sorted(_ compute: () -> SortedMembers) -> SortedMembers {
    value(\.sorted, compute)
  }

  func resourcesField(_ compute: () -> [UInt8]) -> [UInt8] {
    value(\.resourcesField, compute)
  }

  func deltaResourcesField(_ compute: () -> [UInt8]) -> [UInt8] {
    value(\.deltaResourcesField, compute)
  }

  private func value<Value: Sendable>(
    _ key: WritableKeyPath<Values, Value?> & Sendable, _ compute: () -> Value
  ) -> Value {
    if let known = values.withLock({ $0[keyPath: key] }) { return known }
    let computed = compute()
    values.withLock { $0[keyPath: key] = computed }
    return computed
  }
}

/// A set's version and the pair sum it is made of.
struct SetVersionValue: Sendable {
  /// `ContentHash.pairHash` summed over the set's members.
  var pairSum: UInt64
  var version: String
}

/// A set's members in name order.
struct SortedMembers: Sendable {
  var names: [String]
  var resources: [EncodedResource]
}
