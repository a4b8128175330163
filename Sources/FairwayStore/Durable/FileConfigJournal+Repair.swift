import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension FileConfigJournal {
  /// What `check` found in a data directory, without changing anything.
  public struct CheckReport: Sendable {
    /// Revision and object count of `snapshot.json`, nil when there is none.
    public var snapshot: (revision: Int64, objects: Int)?
    /// Why `snapshot.json` cannot be read, if it cannot.
    public var snapshotError: String?
    public var journalBytes: Int
    /// Good records in `journal.log` before any damage.
    public var records: Int
    /// The revision a start would restore (snapshot, then the good records).
    public var revision: Int64
    public var damage: JournalScan.Damage?

    /// Nothing to repair.
    var isClean: Bool { snapshotError == nil && damage == nil }
  }

  /// What `repair` kept and moved aside.
  public struct RepairReport: Sendable {
    public var keptRecords: Int
    public var keptBytes: Int
    /// The revision a start restores now.
    public var revision: Int64
    /// The damage that was cut away, nil when the journal was clean (nothing done).
    public var damage: JournalScan.Damage?
    /// Where the cut-away bytes were saved.
    public var sidePath: String?
  }

  /// Reads `directory` the way a start would, changing nothing.
  public static func check(directory: String) throws -> CheckReport {
    let base = URL(fileURLWithPath: directory)
    var report = CheckReport(
      snapshot: nil, snapshotError: nil, journalBytes: 0, records: 0, revision: 0, damage: nil)
    var snapshotRevision: Int64 = 0
    if let data = FileManager.default.contents(
      atPath: base.appendingPathComponent("snapshot.json").path)
    {
      do {
        let (objects, revision) = try JournalCodec.decodeSnapshot(data)
        report.snapshot = (revision, objects.count)
        snapshotRevision = revision
      } catch {
        report.snapshotError = "\(error)"
      }
    }
    let journal = try readJournal(base)
    let scan = JournalScan(journal, snapshotRevision: snapshotRevision)
    report.journalBytes = journal.count
    report.records = scan.records
    report.revision = max(snapshotRevision, scan.entries.last?.revision ?? 0)
    report.damage = scan.damage
    return report
  }

  /// Keeps every good record before the first damage and moves the rest of `journal.log` to
  /// `journal.log.damaged-<time>` (never deletes it). Run it with the server stopped. A
  /// damaged snapshot is not touched (`JournalError.corruptSnapshot`).
  public static func repair(directory: String, now: Date = Date()) throws -> RepairReport {
    let base = URL(fileURLWithPath: directory)
    let check = try check(directory: directory)
    if let error = check.snapshotError { throw JournalError.corruptSnapshot(error) }
    guard let damage = check.damage else {
      return RepairReport(
        keptRecords: check.records, keptBytes: check.journalBytes, revision: check.revision,
        damage: nil, sidePath: nil)
    }
    let journalPath = base.appendingPathComponent("journal.log").path
    let journal = try readJournal(base)
    let stamp = now.formatted(.iso8601).replacingOccurrences(of: ":", with: "")
    let sidePath = journalPath + ".damaged-" + stamp
    // The side file first, durably: the bytes are cut from the journal only once saved.
    let side = Data(journal[damage.offset...])
    guard FileManager.default.createFile(atPath: sidePath, contents: side) else {
      throw JournalError.io("cannot write \(sidePath)")
    }
    let sideDescriptor = open(sidePath, O_RDONLY | O_CLOEXEC)
    if sideDescriptor >= 0 {
      _ = fsync(sideDescriptor)
      close(sideDescriptor)
    }
    syncDirectory(directory)
    guard truncate(journalPath, off_t(damage.offset)) == 0 else {
      throw JournalError.io("cannot truncate \(journalPath): \(lastError())")
    }
    let descriptor = open(journalPath, O_RDONLY | O_CLOEXEC)
    if descriptor >= 0 {
      _ = fsync(descriptor)
      close(descriptor)
    }
    return RepairReport(
      keptRecords: check.records, keptBytes: damage.offset, revision: check.revision,
      damage: damage, sidePath: sidePath)
  }

  private static func readJournal(_ base: URL) throws -> [UInt8] {
    let path = base.appendingPathComponent("journal.log").path
    guard FileManager.default.fileExists(atPath: path) else { return [] }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw JournalError.io("cannot read \(path)")
    }
    return [UInt8](data)
  }
}
