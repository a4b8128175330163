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
    /// Changes from earlier sets to this one, by the earlier set's memo (weakly: a chain of
    /// sets each keeping its predecessor would keep every translation's sets alive).
    var changes: [ChangeEntry] = []
  }

  private struct ChangeEntry: Sendable {
    weak var since: SetMemo?
    let change: ResourceSetChange
  }

  /// Predecessors remembered; streams of a push hold one (the previous translation's set).
  private static let changesKept = 4

  private let values: Mutex<Values>

  /// `version` may be given when it was derived from another set's (see `ResourceSet.updating`).
  init(version: SetVersionValue? = nil) {
    values = Mutex(Values(version: version))
  }

  /// The version if it has been computed, without computing it.
  var knownVersion: SetVersionValue? { values.withLock { $0.version } }

  func version(_ compute: () -> SetVersionValue) -> SetVersionValue {
    value(compute, read: { $0.version }, write: { $0.version = $1 })
  }

  func sorted(_ compute: () -> SortedMembers) -> SortedMembers {
    value(compute, read: { $0.sorted }, write: { $0.sorted = $1 })
  }

  func resourcesField(_ compute: () -> [UInt8]) -> [UInt8] {
    value(compute, read: { $0.resourcesField }, write: { $0.resourcesField = $1 })
  }

  func deltaResourcesField(_ compute: () -> [UInt8]) -> [UInt8] {
    value(compute, read: { $0.deltaResourcesField }, write: { $0.deltaResourcesField = $1 })
  }

  /// The change from the set `old` memoizes to this one.
  func change(since old: SetMemo, _ compute: () -> ResourceSetChange) -> ResourceSetChange {
    let known = values.withLock { values in
      values.changes.first { $0.since === old }?.change
    }
    if let known { return known }
    let computed = compute()
    values.withLock { values in
      values.changes.removeAll { $0.since == nil }
      if values.changes.count >= Self.changesKept { values.changes.removeFirst() }
      values.changes.append(ChangeEntry(since: old, change: computed))
    }
    return computed
  }

  // Accessors as closures, not key paths: a key path into a generic value is instantiated at
  // run time on every call, which cost more than the memoized work itself for the small sets
  // of VHDS streams (a tenth of the server's CPU in a push profile).
  private func value<Value: Sendable>(
    _ compute: () -> Value, read: (Values) -> Value?, write: (inout Values, Value) -> Void
  ) -> Value {
    if let known = values.withLock({ read($0) }) { return known }
    let computed = compute()
    values.withLock { write(&$0, computed) }
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
