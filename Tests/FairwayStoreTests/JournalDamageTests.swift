import FairwayMesh
import Foundation
import Testing

@testable import FairwayStore

/// Damage at the head, in the middle and at the tail of `journal.log`: only a torn tail is
/// repaired at load; the rest is refused with the file, the offset and the recovery commands,
/// and `repair` keeps the good prefix and moves the rest aside.
@Suite struct JournalDamageTests {
  /// A data directory holding five applies (revisions 1...5), and each record's offset.
  static func journalOfFive() throws -> (directory: String, offsets: [Int], bytes: [UInt8]) {
    let directory = FileConfigJournalTests.temporaryDirectory()
    let journal = try FileConfigJournal(directory: directory)
    _ = try journal.load()
    let store = InMemoryConfigStore(restoring: [], revision: 0, journal: journal)
    for index in 0..<5 {
      try store.apply([try FileConfigJournalTests.virtualService("vs-\(index)", timeout: "1s")])
    }
    let bytes = [UInt8](
      try #require(FileManager.default.contents(atPath: directory + "/journal.log")))
    var offsets: [Int] = []
    var offset = 0
    while case .success(let payload) = JournalScan.frame(bytes, at: offset) {
      offsets.append(offset)
      offset = payload.endIndex
    }
    #expect(offsets.count == 5)
    return (directory, offsets, bytes)
  }

  static func write(_ bytes: [UInt8], to directory: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: directory + "/journal.log"))
  }

  /// Loads and returns the refusal, failing the test if the load succeeds.
  static func refusal(_ directory: String) throws -> JournalScan.Damage? {
    do {
      _ = try FileConfigJournal(directory: directory).load()
      Issue.record("a damaged journal loaded")
      return nil
    } catch FileConfigJournal.JournalError.damaged(let path, _, let damage) {
      #expect(path == directory + "/journal.log")
      return damage
    }
  }

  @Test(arguments: [0, 2])
  func flippedByteBeforeTheTailRefusesToLoad(record: Int) throws {
    var (directory, offsets, bytes) = try Self.journalOfFive()
    bytes[offsets[record] + 20] ^= 0x01
    try Self.write(bytes, to: directory)
    let damage = try #require(try Self.refusal(directory))
    #expect(damage.kind == .corrupt)
    #expect(damage.offset == offsets[record])
    #expect(damage.recordsAfter == 4 - record)
    // The file is untouched by the refused load.
    #expect(
      [UInt8](FileManager.default.contents(atPath: directory + "/journal.log") ?? Data()) == bytes)
    let message =
      "\(FileConfigJournal.JournalError.damaged(path: "P", directory: directory, damage: damage))"
    #expect(message.contains("offset \(offsets[record])"))
    #expect(message.contains("fairway journal repair --data-dir \(directory)"))

    let check = try FileConfigJournal.check(directory: directory)
    #expect(check.records == record)
    #expect(check.damage == damage)
    #expect(!check.isClean)
  }

  @Test func damagedLengthFieldInTheMiddleIsNotTakenForATornTail() throws {
    var (directory, offsets, bytes) = try Self.journalOfFive()
    bytes[offsets[1]] = 0x7F  // the length now runs far past the end of the file
    try Self.write(bytes, to: directory)
    let damage = try #require(try Self.refusal(directory))
    #expect(damage.kind == .corrupt)
    #expect(damage.offset == offsets[1])
    #expect(damage.recordsAfter == 3)
  }

  @Test func tornTailIsCutAwayAndEveryEarlierRecordKept() throws {
    let (directory, offsets, bytes) = try Self.journalOfFive()
    // The last record cut short, then one with a bad checksum: both only ever a crash.
    for damaged in [
      Array(bytes.prefix(bytes.count - 7)),
      bytes.enumerated().map { $0.offset == bytes.count - 3 ? $0.element ^ 0xFF : $0.element },
    ] {
      try Self.write(damaged, to: directory)
      let check = try FileConfigJournal.check(directory: directory)
      #expect(check.damage?.kind == .tornTail)
      let recovered = try FileConfigJournal(directory: directory).load()
      #expect(recovered.revision == 4)
      #expect(recovered.objects.map(\.key.name) == ["vs-0", "vs-1", "vs-2", "vs-3"])
      #expect(recovered.droppedBytes == damaged.count - offsets[4])
      #expect(Self.journalBytes(directory) == offsets[4])
    }
  }

  @Test func zeroFilledTailIsATornTail() throws {
    let (directory, _, bytes) = try Self.journalOfFive()
    try Self.write(bytes + [UInt8](repeating: 0, count: 4096), to: directory)
    let recovered = try FileConfigJournal(directory: directory).load()
    #expect(recovered.revision == 5)
    #expect(recovered.droppedBytes == 4096)
  }

  /// A record whose checksum is good but whose config today's validation refuses.
  static func undecodableRecord(revision: Int64) -> [UInt8] {
    let payload = Array(
      """
      {"op":"apply","revision":\(revision),"objects":[{"apiVersion":"networking.istio.io/v1",\
      "kind":"VirtualService","metadata":{"name":"bad","namespace":"default"},\
      "spec":{"hosts":[],"http":[{"timeout":"forever"}]}}]}
      """.utf8)
    var frame: [UInt8] = []
    for value in [UInt32(payload.count), CRC32.checksum(payload)] {
      for shift in stride(from: 24, through: 0, by: -8) {
        frame.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
      }
    }
    return frame + payload
  }

  @Test func recordThatFailsValidationRefusesToLoadEvenAtTheTail() throws {
    let (directory, _, bytes) = try Self.journalOfFive()
    try Self.write(bytes + Self.undecodableRecord(revision: 6), to: directory)
    let damage = try #require(try Self.refusal(directory))
    #expect(damage.kind == .undecodable)
    #expect(damage.offset == bytes.count)
    #expect(damage.recordsAfter == 0)
  }

  @Test func repairKeepsThePrefixAndMovesTheRestAside() throws {
    var (directory, offsets, bytes) = try Self.journalOfFive()
    bytes[offsets[2] + 20] ^= 0x01
    try Self.write(bytes, to: directory)
    let report = try FileConfigJournal.repair(
      directory: directory, now: Date(timeIntervalSince1970: 1_700_000_000))
    #expect(report.keptRecords == 2)
    #expect(report.keptBytes == offsets[2])
    #expect(report.revision == 2)
    let side = try #require(report.sidePath)
    #expect(side.hasPrefix(directory + "/journal.log.damaged-2023-11-14T"))
    #expect(
      [UInt8](FileManager.default.contents(atPath: side) ?? Data()) == Array(bytes[offsets[2]...]))
    let recovered = try FileConfigJournal(directory: directory).load()
    #expect(recovered.objects.map(\.key.name) == ["vs-0", "vs-1"])
    #expect(recovered.revision == 2)
    #expect(try FileConfigJournal.check(directory: directory).isClean)
    // A second repair finds nothing to do.
    #expect(try FileConfigJournal.repair(directory: directory).damage == nil)
  }

  @Test func damagedSnapshotIsStillRefused() throws {
    let (directory, _, _) = try Self.journalOfFive()
    try Data("{\"revision\": 3, \"objects\": [".utf8).write(
      to: URL(fileURLWithPath: directory + "/snapshot.json"))
    #expect(throws: FileConfigJournal.JournalError.self) {
      _ = try FileConfigJournal(directory: directory).load()
    }
    #expect(try FileConfigJournal.check(directory: directory).snapshotError != nil)
    #expect(throws: FileConfigJournal.JournalError.self) {
      _ = try FileConfigJournal.repair(directory: directory)
    }
  }

  static func journalBytes(_ directory: String) -> Int {
    FileManager.default.contents(atPath: directory + "/journal.log")?.count ?? -1
  }
}
