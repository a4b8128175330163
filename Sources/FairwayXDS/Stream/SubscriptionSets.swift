import Synchronization

/// One `Set` per distinct subscription list, shared by every stream that subscribes to it.
///
/// The sidecars of a namespace subscribe to the same thousand or so EDS names; a private set
/// per stream was tens of KiB each, tens of MiB at 2,000 streams. Sets are values, so sharing
/// one is safe: a stream that changes its copy gets its own.
///
/// A pure memo (the same names always give the same set), so one table serves the process.
final class SubscriptionSets: Sendable {
  static let shared = SubscriptionSets()

  /// Distinct lists kept; beyond it the table starts over (a set is cheap to build again).
  static let capacity = 256
  /// Lists shorter than this are not worth a table entry.
  static let minimumCount = 16
  private let sets = Mutex<[[String]: Set<String>]>([:])
  private let internedSets = Mutex<Set<Set<String>>>([])

  /// The set of `names`, without "*" when `droppingWildcard`.
  func set(of names: [String], droppingWildcard: Bool) -> Set<String> {
    let full = names.count < Self.minimumCount ? Set(names) : shared(names)
    return droppingWildcard && full.contains("*") ? full.subtracting(["*"]) : full
  }

  /// The table's set equal to `set`, which becomes the table's when there is none: Delta
  /// streams build their subscriptions name by name, and this lets equal ones share storage.
  func interned(_ set: Set<String>) -> Set<String> {
    guard set.count >= Self.minimumCount else { return set }
    return internedSets.withLock { table in
      if table.count >= Self.capacity { table.removeAll(keepingCapacity: true) }
      return table.insert(set).memberAfterInsert
    }
  }

  private func shared(_ names: [String]) -> Set<String> {
    if let hit = sets.withLock({ $0[names] }) { return hit }
    let built = Set(names)
    sets.withLock { sets in
      if sets.count >= Self.capacity { sets.removeAll(keepingCapacity: true) }
      sets[names] = built
    }
    return built
  }
}
