import FairwayMesh

/// Where a store makes its changes durable. `record` is called by the store's one writer, in
/// revision order, before the change is made visible; it returns only once the entry is
/// durable. If it throws, the change is not made, so the journal must then be as it was before
/// the call (or refuse every later record): the store gives the failed entry's revision to the
/// next change.
public protocol ConfigJournal: Sendable {
  func record(_ entry: JournalEntry) throws
  /// Whether enough records piled up to fold them into a snapshot.
  var wantsCompaction: Bool { get }
  /// Replaces everything recorded so far with one snapshot of `objects` at `revision`.
  func compact(objects: [ConfigObject], revision: Int64) throws
}
