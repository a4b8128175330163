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
/// `journal.log` (records after it). A record is a 4-byte big-endian payload length, a 4-byte
/// CRC-32 of the payload, and the payload (JSON). Every append is fsynced before `record`
/// returns, so a change the admin API acknowledged survives a crash. A record torn by a crash
/// fails its length or checksum: it and anything after it are dropped at load, with a log line.
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

  public enum JournalError: Error, CustomStringConvertible {
    case io(String)
    case corruptSnapshot(String)

    public var description: String {
      switch self {
      case .io(let message): return "journal I/O: \(message)"
      case .corruptSnapshot(let message): return "snapshot.json is unreadable: \(message)"
      }
    }
  }

  private struct Handle {
    var descriptor: Int32
    var records: Int
  }

  public let directory: URL
  private let compactEvery: Int
  private let handle: Mutex<Handle>

  var journalPath: String { directory.appendingPathComponent("journal.log").path }
  var snapshotPath: String { directory.appendingPathComponent("snapshot.json").path }

  /// Opens (creating if needed) the journal in `directory`; call `load()` before recording.
  public init(directory: String, compactEvery: Int = 1_000) throws {
    self.directory = URL(fileURLWithPath: directory)
    self.compactEvery = max(compactEvery, 1)
    try FileManager.default.createDirectory(
      at: self.directory, withIntermediateDirectories: true)
    let path = self.directory.appendingPathComponent("journal.log").path
    let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw JournalError.io("cannot open \(path): \(String(cString: strerror(errno)))")
    }
    handle = Mutex(Handle(descriptor: descriptor, records: 0))
  }

  deinit {
    handle.withLock { _ = close($0.descriptor) }
  }

  /// Reads the snapshot and replays the journal after it; truncates a torn tail.
  public func load() throws -> Recovered {
    var objects: [ConfigKey: ConfigObject] = [:]
    var revision: Int64 = 0
    if let data = FileManager.default.contents(atPath: snapshotPath) {
      let (snapshotObjects, snapshotRevision) = try Self.decodeSnapshot(data)
      for object in snapshotObjects { objects[object.key] = object }
      revision = snapshotRevision
    }
    let journal = [UInt8](FileManager.default.contents(atPath: journalPath) ?? Data())
    var offset = 0
    var replayed = 0
    while let (payload, next) = Self.nextRecord(journal, at: offset) {
      guard let entry = try? JournalCodec.decode(payload) else { break }
      offset = next
      guard entry.revision > revision else { continue }
      switch entry {
      case .apply(let entryRevision, let applied):
        for object in applied { objects[object.key] = object }
        revision = entryRevision
      case .delete(let entryRevision, let key):
        objects.removeValue(forKey: key)
        revision = entryRevision
      }
      replayed += 1
    }
    let dropped = journal.count - offset
    if dropped > 0 {
      guard truncate(journalPath, off_t(offset)) == 0 else {
        throw JournalError.io(
          "cannot truncate torn journal tail: \(String(cString: strerror(errno)))")
      }
    }
    handle.withLock { $0.records = replayed }
    return Recovered(
      objects: objects.values.sorted { $0.key < $1.key }, revision: revision, replayed: replayed,
      droppedBytes: dropped)
  }

  public func record(_ entry: JournalEntry) throws {
    let payload = try JournalCodec.encode(entry)
    var frame: [UInt8] = []
    frame.reserveCapacity(payload.count + 8)
    Self.appendUInt32(UInt32(payload.count), to: &frame)
    Self.appendUInt32(CRC32.checksum(payload), to: &frame)
    frame += payload
    try handle.withLock { handle in
      try Self.writeAll(frame, to: handle.descriptor)
      guard fsync(handle.descriptor) == 0 else {
        throw JournalError.io("fsync: \(String(cString: strerror(errno)))")
      }
      handle.records += 1
    }
  }

  public var wantsCompaction: Bool { handle.withLock { $0.records >= compactEvery } }

  public func compact(objects: [ConfigObject], revision: Int64) throws {
    let data = try JournalCodec.encodeSnapshot(objects: objects, revision: revision)
    let temporary = snapshotPath + ".tmp"
    try handle.withLock { handle in
      let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
      guard descriptor >= 0 else { throw JournalError.io("cannot write \(temporary)") }
      defer { close(descriptor) }
      try Self.writeAll(Array(data), to: descriptor)
      guard fsync(descriptor) == 0, rename(temporary, snapshotPath) == 0 else {
        throw JournalError.io("cannot replace snapshot: \(String(cString: strerror(errno)))")
      }
      Self.syncDirectory(directory.path)
      // Records up to `revision` now live in the snapshot; load() skips any left behind.
      guard ftruncate(handle.descriptor, 0) == 0, fsync(handle.descriptor) == 0 else {
        throw JournalError.io("cannot truncate journal: \(String(cString: strerror(errno)))")
      }
      handle.records = 0
    }
  }

  static func nextRecord(_ bytes: [UInt8], at offset: Int) -> ([UInt8], Int)? {
    guard offset + 8 <= bytes.count else { return nil }
    let length = Int(readUInt32(bytes, offset))
    let checksum = readUInt32(bytes, offset + 4)
    let start = offset + 8
    guard length <= bytes.count - start else { return nil }
    let payload = Array(bytes[start..<(start + length)])
    guard CRC32.checksum(payload) == checksum else { return nil }
    return (payload, start + length)
  }

  static func decodeSnapshot(_ data: Data) throws -> ([ConfigObject], Int64) {
    do {
      return try JournalCodec.decodeSnapshot(data)
    } catch {
      throw JournalError.corruptSnapshot("\(error)")
    }
  }

  private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws {
    var written = 0
    while written < bytes.count {
      let result = bytes.withUnsafeBytes { buffer in
        write(descriptor, buffer.baseAddress.map { $0 + written }, bytes.count - written)
      }
      if result < 0 {
        if errno == EINTR { continue }
        throw JournalError.io("write: \(String(cString: strerror(errno)))")
      }
      written += result
    }
  }

  private static func syncDirectory(_ path: String) {
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

  private static func readUInt32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
    (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[offset + $1]) }
  }
}
