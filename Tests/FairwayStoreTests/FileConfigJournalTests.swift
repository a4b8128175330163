import FairwayMesh
import Foundation
import Testing

@testable import FairwayStore

@Suite struct FileConfigJournalTests {
  static func virtualService(_ name: String, timeout: String) throws -> ConfigObject {
    let yaml = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: \(name), namespace: default, labels: {team: a}}
      spec:
        hosts: [\(name).example.com]
        http: [{timeout: \(timeout), route: [{destination: {host: \(name).example.com}}]}]
      """
    return try #require(try ConfigParser().parse(Data(yaml.utf8), format: .yaml).objects.first)
  }

  static func temporaryDirectory() -> String {
    FileManager.default.temporaryDirectory
      .appendingPathComponent("fairway-journal-\(UUID().uuidString)").path
  }

  @Test func replayAfterCompactionRestoresObjectsMetadataAndRevision() throws {
    let directory = Self.temporaryDirectory()
    let journal = try FileConfigJournal(directory: directory, compactEvery: 3)
    let recovered = try journal.load()
    let store = InMemoryConfigStore(
      restoring: recovered.objects, revision: recovered.revision, journal: journal)
    for index in 0..<7 {
      try store.apply([try Self.virtualService("vs-\(index)", timeout: "\(index + 1)s")])
    }
    try store.apply([try Self.virtualService("vs-2", timeout: "30s")])
    try store.delete(ConfigKey(kind: .virtualService, namespace: "default", name: "vs-0"))
    let before = store.list()

    let reopened = try FileConfigJournal(directory: directory, compactEvery: 3).load()
    #expect(reopened.revision == store.revision)
    #expect(reopened.revision == 9)
    #expect(reopened.objects == before)
    #expect(reopened.objects.first { $0.key.name == "vs-2" }?.metadata.generation == 2)
    #expect(FileManager.default.fileExists(atPath: directory + "/snapshot.json"))
  }

  @Test func tornTailIsDroppedAndEarlierRecordsKept() throws {
    let directory = Self.temporaryDirectory()
    let journal = try FileConfigJournal(directory: directory)
    _ = try journal.load()
    let store = InMemoryConfigStore(restoring: [], revision: 0, journal: journal)
    try store.apply([try Self.virtualService("a", timeout: "1s")])
    try store.apply([try Self.virtualService("b", timeout: "2s")])
    let path = directory + "/journal.log"
    let whole = try #require(FileManager.default.contents(atPath: path))
    // Cut the last record in half, as a crash during write would.
    try whole.prefix(whole.count - 10).write(to: URL(fileURLWithPath: path))
    let recovered = try FileConfigJournal(directory: directory).load()
    #expect(recovered.objects.map(\.key.name) == ["a"])
    #expect(recovered.revision == 1)
    #expect(recovered.droppedBytes > 0)
  }

  struct FailingJournal: ConfigJournal {
    struct Full: Error {}
    func record(_ entry: JournalEntry) throws { throw Full() }
    var wantsCompaction: Bool { false }
    func compact(objects: [ConfigObject], revision: Int64) throws {}
  }

  @Test func aChangeTheJournalCannotRecordIsNotMade() throws {
    let store = InMemoryConfigStore(restoring: [], revision: 0, journal: FailingJournal())
    #expect(throws: ConfigStoreError.notStored("\(FailingJournal.Full())")) {
      try store.apply([try Self.virtualService("a", timeout: "1s")])
    }
    #expect(store.revision == 0)
    #expect(store.list().isEmpty)
  }
}
