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
  /// Estimated bytes each table may hold; a set that would pass it starts the table over, and
  /// one above an eighth of it is not kept. Clients choose their lists: without it, 256 lists
  /// of 100,000 names were gigabytes.
  static let byteBudget = 64 * 1024 * 1024
  private let sets = Mutex<(bytes: Int, table: [[String]: Set<String>])>((0, [:]))
  private let internedSets = Mutex<(bytes: Int, table: Set<Set<String>>)>((0, []))
  private let internedRequests = Mutex<(bytes: Int, table: Set<Set<String>>)>((0, []))

  /// What a kept set holds: a slot and a string per name, in the set and in its key list.
  static func cost(of names: some Collection<String>) -> Int {
    names.reduce(names.count * 64) { $0 + 2 * $1.utf8.count }
  }

  /// The set of `names`, without "*" when `droppingWildcard`.
  func set(of names: [String], droppingWildcard: Bool) -> Set<String> {
    let full = names.count < Self.minimumCount ? Set(names) : shared(names)
    return droppingWildcard && full.contains("*") ? full.subtracting(["*"]) : full
  }

  /// The table's set equal to `set`, which becomes the table's when there is none: Delta
  /// streams build their subscriptions name by name, and this lets equal ones share storage.
  func interned(_ set: Set<String>) -> Set<String> {
    guard set.count >= Self.minimumCount else { return set }
    return Self.intern(set, in: internedSets)
  }

  /// Like `interned`, for sets of any size in a table of their own: the names a stream asks
  /// a translation for, which keys shared sets by them (equal keys that share storage compare
  /// in O(1)). Their own table, so that thousands of distinct short lists do not push the
  /// long shared subscriptions out.
  func internedRequest(_ set: Set<String>) -> Set<String> {
    Self.intern(set, in: internedRequests)
  }

  private static func intern(
    _ set: Set<String>, in table: borrowing Mutex<(bytes: Int, table: Set<Set<String>>)>
  ) -> Set<String> {
    table.withLock { interned in
      if let index = interned.table.firstIndex(of: set) { return interned.table[index] }
      let cost = Self.cost(of: set)
      guard cost <= Self.byteBudget / 8 else { return set }
      if interned.table.count >= Self.capacity || interned.bytes + cost > Self.byteBudget {
        interned = (0, [])
      }
      interned.table.insert(set)
      interned.bytes += cost
      return set
    }
  }

  private func shared(_ names: [String]) -> Set<String> {
    if let hit = sets.withLock({ $0.table[names] }) { return hit }
    let built = Set(names)
    let cost = Self.cost(of: names)
    guard cost <= Self.byteBudget / 8 else { return built }
    sets.withLock { sets in
      if sets.table.count >= Self.capacity || sets.bytes + cost > Self.byteBudget {
        sets = (0, [:])
      }
      if sets.table.updateValue(built, forKey: names) == nil { sets.bytes += cost }
    }
    return built
  }
}
