import Synchronization

/// A value computed at most once and shared by reference by every copy of the struct that
/// holds it (see `ResourceSet.version`): thousands of streams hold the same translator set.
final class SharedMemo<Value: Sendable>: Sendable {
  private let memo = Mutex<Value?>(nil)

  func value(_ compute: () -> Value) -> Value {
    if let known = memo.withLock({ $0 }) { return known }
    let computed = compute()
    memo.withLock { $0 = computed }
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
