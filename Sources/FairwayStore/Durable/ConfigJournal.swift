import FairwayMesh

/// Where a store makes its changes durable. `record` is called inside the store's commit, in
/// revision order; if it throws, the change is not made.
public protocol ConfigJournal: Sendable {
  func record(_ entry: JournalEntry) throws
  /// Whether enough records piled up to fold them into a snapshot.
  var wantsCompaction: Bool { get }
  /// Replaces everything recorded so far with one snapshot of `objects` at `revision`.
  func compact(objects: [ConfigObject], revision: Int64) throws
}
