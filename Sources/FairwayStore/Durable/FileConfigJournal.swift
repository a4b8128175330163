import FairwayMesh
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An append-only journal of config changes in a directory, folded into a snapshot now and then.
///
/// Files: `snapshot.json` (every object at one revision, replaced atomically by rename) and
/// `journal.log` (records after it; see `JournalScan` for the framing).
///
/// The contract is etcd's WAL's. `record` returns only once the record is fsynced. If the write
/// or the fsync fails, the file is cut back to its last good length and fsynced, so the journal
/// is exactly as it was and the failed record can never come back at a restart; if even that
/// fails, the journal stops: every later `record` throws `stopped` until the process restarts
/// (and `load` repairs the tail). At `load`, a torn tail (a crash while appending) is the only
/// damage repaired silently; anything else throws `damaged`, naming the file, the offset and
/// the recovery commands (`fairway journal check|repair --data-dir`).
public final class FileConfigJournal: ConfigJournal {
  /// What `load` found on disk.
  public struct Recovered: Sendable {
    public var objects: [ConfigObject]
    public var revision: Int64
    /// Records replayed from the journal after the snapshot.
    public var replayed: Int
    /// Bytes of a torn tail that were dropped (0 when the journal was whole).
    public var droppedBytes: Int
  }

  enum JournalError: Error, CustomStringConvertible {
    case io(String)
    case corruptSnapshot(String)
    /// Damage before the tail, or a record that does not load: nothing was changed on disk.
    case damaged(path: String, directory: String, damage: JournalScan.Damage)
    /// An append or fsync failed and was undone: the journal is as it was, nothing was stored.
    case writeFailed(String)
    /// A failed append could not be undone: the journal accepts no more writes until restart.
    case stopped(String)

    var description: String {
      switch self {
      case .io(let message): return "journal I/O: \(message)"
      case .corruptSnapshot(let message): return "snapshot.json is unreadable: \(message)"
      case .damaged(let path, let directory, let damage):
        return """
          \(path) is damaged: \(damage); refusing to start rather than drop acknowledged \
          changes. Run `fairway journal check --data-dir \(directory)` for details, and \
          `fairway journal repair --data-dir \(directory)` to keep the records before offset \
          \(damage.offset) and move the rest aside to journal.log.damaged-<time>.
          """
      case .writeFailed(let message):
        return "journal write failed, nothing was stored (the journal is unchanged): \(message)"
      case .stopped(let message):
        return """
          the journal stopped accepting writes: \(message). Fix the disk and restart fairway \
          (it repairs the torn tail at start; `fairway journal check` shows what is on disk)
          """
      }
    }
  }

  private struct Handle {
    var descriptor: Int32
    /// Length of the journal's good records: where the next record goes.
    var end: Int
    /// Records since the last compaction (or failed attempt).
    var records: Int
    /// Why writes stopped, once a failed append could not be undone.
    var stopped: String?
  }

  public let directory: URL
  private let compactEvery: Int
  private let handle: Mutex<Handle>
  let faults: JournalFaults

  var journalPath: String { directory.appendingPathComponent("journal.log").path }
  var snapshotPath: String { directory.appendingPathComponent("snapshot.json").path }

  /// Opens (creating if needed) the journal in `directory`; call `load()` before recording.
  public convenience init(directory: String, compactEvery: Int = 1_000) throws {
    try self.init(directory: directory, compactEvery: compactEvery, faults: JournalFaults())
  }

  init(directory: String, compactEvery: Int = 1_000, faults: JournalFaults) throws {
    self.directory = URL(fileURLWithPath: directory)
    self.compactEvery = max(compactEvery, 1)
    self.faults = faults
    try FileManager.default.createDirectory(
      at: self.directory, withIntermediateDirectories: true)
    let path = self.directory.appendingPathComponent("journal.log").path
    let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw JournalError.io("cannot open \(path): \(Self.lastError())")
    }
    let end = lseek(descriptor, 0, SEEK_END)
    handle = Mutex(Handle(descriptor: descriptor, end: Int(max(end, 0)), records: 0))
  }

  deinit {
    handle.withLock { _ = close($0.descriptor) }
  }

  /// Reads the snapshot and replays the journal after it; cuts away a torn tail and refuses
  /// any other damage (`JournalError.damaged`).
  public func load() throws -> Recovered {
    var objects: [ConfigKey: ConfigObject] = [:]
    var revision: Int64 = 0
    if let data = FileManager.default.contents(atPath: snapshotPath) {
      let (snapshotObjects, snapshotRevision) = try Self.decodeSnapshot(data)
      for object in snapshotObjects { objects[object.key] = object }
      revision = snapshotRevision
    }
    let journal = [UInt8](FileManager.default.contents(atPath: journalPath) ?? Data())
    let scan = JournalScan(journal, snapshotRevision: revision)
    if let damage = scan.damage, damage.kind != .tornTail {
      throw JournalError.damaged(path: journalPath, directory: directory.path, damage: damage)
    }
    for entry in scan.entries {
      switch entry {
      case .apply(let entryRevision, let applied):
        for object in applied { objects[object.key] = object }
        revision = entryRevision
      case .delete(let entryRevision, let key):
        objects.removeValue(forKey: key)
        revision = entryRevision
      }
    }
    let dropped = journal.count - scan.validEnd
    try handle.withLock { handle in
      if dropped > 0 {
        guard ftruncate(handle.descriptor, off_t(scan.validEnd)) == 0,
          fsync(handle.descriptor) == 0
        else {
          throw JournalError.io("cannot truncate torn journal tail: \(Self.lastError())")
        }
      }
      handle.end = scan.validEnd
      handle.records = scan.entries.count
    }
    return Recovered(
      objects: objects.values.sorted { $0.key < $1.key }, revision: revision,
      replayed: scan.entries.count, droppedBytes: dropped)
  }

  /// Appends `entry` as one checksummed record and fsyncs it before returning.
  public func record(_ entry: JournalEntry) throws {
    let payload = try JournalCodec.encode(entry)
    var frame: [UInt8] = []
    frame.reserveCapacity(payload.count + 8)
    Self.appendUInt32(UInt32(payload.count), to: &frame)
    Self.appendUInt32(CRC32.checksum(payload), to: &frame)
    frame += payload
    try handle.withLock { handle in
      if let reason = handle.stopped { throw JournalError.stopped(reason) }
      do {
        try write(frame, to: handle.descriptor, at: handle.end)
        try sync(handle.descriptor)
      } catch {
        // Undo: a record that failed must never be replayed, and the next one must not land
        // after a partial one (which a restart would then take for a torn tail).
        if let undoError = undo(to: handle.end, descriptor: handle.descriptor) {
          handle.stopped =
            "\(error); cutting the journal back to \(handle.end) bytes failed too: \(undoError)"
          throw JournalError.stopped(handle.stopped ?? "")
        }
        throw JournalError.writeFailed("\(error)")
      }
      handle.end += frame.count
      handle.records += 1
    }
  }

  /// Truncates back to `end` and makes that durable; the error when it cannot.
  private func undo(to end: Int, descriptor: Int32) -> String? {
    if let code = faults.check(.truncate) { return String(cString: strerror(code)) }
    guard ftruncate(descriptor, off_t(end)) == 0 else { return "ftruncate: \(Self.lastError())" }
    guard fsync(descriptor) == 0 else { return "fsync: \(Self.lastError())" }
    return nil
  }

  public var wantsCompaction: Bool {
    handle.withLock { $0.stopped == nil && $0.records >= compactEvery }
  }

  /// Whether writes stopped after a failed append that could not be undone, and why.
  var stoppedReason: String? { handle.withLock { $0.stopped } }

  /// Replaces the journal with a snapshot of `objects` at `revision`.
  public func compact(objects: [ConfigObject], revision: Int64) throws {
    let data = try JournalCodec.encodeSnapshot(objects: objects, revision: revision)
    let temporary = snapshotPath + ".tmp"
    try handle.withLock { handle in
      if let reason = handle.stopped { throw JournalError.stopped(reason) }
      // Whatever happens, wait for another round of records before trying again: a full disk
      // must not cost a whole-store encode on every write.
      handle.records = 0
      let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
      guard descriptor >= 0 else {
        throw JournalError.io("cannot write \(temporary): \(Self.lastError())")
      }
      do {
        defer { close(descriptor) }
        try write(Array(data), to: descriptor, at: 0)
        try sync(descriptor)
        guard rename(temporary, snapshotPath) == 0 else {
          throw JournalError.io("cannot replace snapshot: \(Self.lastError())")
        }
      } catch {
        unlink(temporary)
        throw error
      }
      Self.syncDirectory(directory.path)
      // Records up to `revision` now live in the snapshot; load() skips any left behind, so a
      // failed ftruncate leaves a correct journal. A truncation that did happen but could not
      // be made durable leaves the file's length unknown after a crash: stop writing.
      guard ftruncate(handle.descriptor, 0) == 0 else {
        throw JournalError.io("cannot truncate journal: \(Self.lastError())")
      }
      handle.end = 0
      guard fsync(handle.descriptor) == 0 else {
        handle.stopped = "fsync after compaction failed: \(Self.lastError())"
        throw JournalError.stopped(handle.stopped ?? "")
      }
    }
  }

  static func decodeSnapshot(_ data: Data) throws -> ([ConfigObject], Int64) {
    do {
      return try JournalCodec.decodeSnapshot(data)
    } catch {
      throw JournalError.corruptSnapshot("\(error)")
    }
  }

  private func write(_ bytes: [UInt8], to descriptor: Int32, at offset: Int) throws {
    var limit = bytes.count
    let injected = faults.check(.write)
    if injected != nil { limit = bytes.count / 2 }
    var written = 0
    while written < limit {
      let result = bytes.withUnsafeBytes { buffer in
        pwrite(
          descriptor, buffer.baseAddress.map { $0 + written }, limit - written,
          off_t(offset + written))
      }
      if result < 0 {
        if errno == EINTR { continue }
        throw JournalError.io("write: \(Self.lastError())")
      }
      written += result
    }
    if let injected { throw JournalError.io("write: \(String(cString: strerror(injected)))") }
  }

  private func sync(_ descriptor: Int32) throws {
    if let code = faults.check(.fsync) {
      throw JournalError.io("fsync: \(String(cString: strerror(code)))")
    }
    guard fsync(descriptor) == 0 else { throw JournalError.io("fsync: \(Self.lastError())") }
  }

  static func lastError() -> String { String(cString: strerror(errno)) }

  static func syncDirectory(_ path: String) {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    _ = fsync(descriptor)
    close(descriptor)
  }

  private static func appendUInt32(_ value: UInt32, to buffer: inout [UInt8]) {
    for shift in stride(from: 24, through: 0, by: -8) {
      buffer.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
    }
  }
}
