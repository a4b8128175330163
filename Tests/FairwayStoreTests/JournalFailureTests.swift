import FairwayMesh
import Foundation
import Synchronization
import Testing

@testable import FairwayStore

/// etcd's contract through the real store and journal: a failed append or fsync reaches the
/// caller, leaves the journal byte for byte as it was and never comes back; revisions stay
/// consistent across a restart.
@Suite struct JournalFailureTests {
  static func workload(_ name: String) -> ConfigObject { StoreFixtures.workload(name) }

  static func open(_ directory: String, faults: JournalFaults = JournalFaults()) throws -> (
    FileConfigJournal, InMemoryConfigStore
  ) {
    let journal = try FileConfigJournal(directory: directory, faults: faults)
    let recovered = try journal.load()
    let store = InMemoryConfigStore(
      restoring: recovered.objects, revision: recovered.revision, journal: journal)
    return (journal, store)
  }

  static func journalBytes(_ directory: String) -> Data {
    FileManager.default.contents(atPath: directory + "/journal.log") ?? Data()
  }

  static func isNotStored(_ error: any Error) -> Bool {
    if case .notStored? = error as? ConfigStoreError { return true }
    return false
  }

  @Test func failedWriteAndFailedFsyncChangeNothingAndAreNeverReplayed() async throws {
    let directory = FileConfigJournalTests.temporaryDirectory()
    let faults = JournalFaults()
    let (_, store) = try Self.open(directory, faults: faults)
    let events = store.events()
    try await store.apply([Self.workload("a")])
    let afterA = Self.journalBytes(directory)

    faults.fail(.write)  // half the record reaches the file, then ENOSPC
    let writeError = await #expect(throws: ConfigStoreError.self) {
      try await store.apply([Self.workload("b")])
    }
    #expect(writeError.map { "\($0)" }?.contains("No space left on device") == true)
    #expect(Self.journalBytes(directory) == afterA)
    #expect(store.revision == 1)
    #expect(store.get(Self.workload("b").key) == nil)

    let c = try await store.apply([Self.workload("c")])
    #expect(c[0].resourceVersion == "2")

    faults.fail(.fsync)  // the whole record was written, the fsync fails
    let afterC = Self.journalBytes(directory)
    await #expect(throws: ConfigStoreError.self) {
      try await store.delete(Self.workload("a").key)
    }
    #expect(Self.journalBytes(directory) == afterC)
    #expect(store.get(Self.workload("a").key) != nil)
    faults.fail(.fsync)
    await #expect(throws: ConfigStoreError.self) { try await store.apply([Self.workload("d")]) }
    #expect(Self.journalBytes(directory) == afterC)

    let e = try await store.apply([Self.workload("e")])
    #expect(e[0].resourceVersion == "3")
    #expect(store.revision == 3)

    // Watchers saw only the changes that were made, in order.
    var seen: [String] = []
    for await event in events {
      seen.append("\(event.name)@\(event.revision)")
      if seen.count == 3 { break }
    }
    #expect(seen == ["a@1", "c@2", "e@3"])

    // A restart restores exactly what was acknowledged, at the revision last reported.
    let reopened = try FileConfigJournal(directory: directory).load()
    #expect(reopened.objects.map(\.key.name) == ["a", "c", "e"])
    #expect(reopened.objects.map { $0.metadata.resourceVersion ?? "" } == ["1", "2", "3"])
    #expect(reopened.revision == 3)
    #expect(reopened.droppedBytes == 0)
    let (_, next) = try Self.open(directory)
    let f = try await next.apply([Self.workload("f")])
    #expect(f[0].resourceVersion == "4")
  }

  @Test func anUndoThatFailsStopsWritesUntilRestart() async throws {
    let directory = FileConfigJournalTests.temporaryDirectory()
    let faults = JournalFaults()
    let (journal, store) = try Self.open(directory, faults: faults)
    try await store.apply([Self.workload("a")])
    faults.fail(.write)
    faults.fail(.truncate)
    await #expect(throws: ConfigStoreError.self) { try await store.apply([Self.workload("b")]) }
    #expect(journal.stoppedReason != nil)
    // No fault is armed any more, and still nothing is accepted: the file has a partial record.
    let refused = await #expect(throws: ConfigStoreError.self) {
      try await store.apply([Self.workload("c")])
    }
    #expect(refused.map { "\($0)" }?.contains("stopped accepting writes") == true)
    await #expect(throws: ConfigStoreError.self) {
      try await store.delete(Self.workload("a").key)
    }
    #expect(store.revision == 1)
    #expect(store.list().map(\.key.name) == ["a"])

    // At restart the partial record is a torn tail: dropped, the acknowledged one kept.
    let (_, restarted) = try Self.open(directory)
    #expect(restarted.list().map(\.key.name) == ["a"])
    let c = try await restarted.apply([Self.workload("c")])
    #expect(c[0].resourceVersion == "2")
  }

  /// A journal whose append blocks until released, to see where the store runs it.
  final class StallingJournal: ConfigJournal {
    let release = DispatchSemaphore(value: 0)
    let entered = Atomic<Int>(0)
    /// Appends released by their timeout, not by the test: the pool was blocked.
    let timedOut = Atomic<Int>(0)
    func record(_ entry: JournalEntry) throws {
      entered.add(1, ordering: .relaxed)
      if release.wait(timeout: .now() + 120) == .timedOut { timedOut.add(1, ordering: .relaxed) }
    }
    var wantsCompaction: Bool { false }
    func compact(objects: [ConfigObject], revision: Int64) throws {}
  }

  @Test func journalAppendsDoNotBlockTheCooperativePool() async throws {
    let journal = StallingJournal()
    let store = InMemoryConfigStore(restoring: [], revision: 0, journal: journal)
    let writers = Task {
      try await withThrowingTaskGroup(of: Void.self) { group in
        // More writers than the pool has threads: run on the pool, they would all be stuck.
        for index in 0..<16 {
          group.addTask { try await store.apply([Self.workload("w\(index)")]) }
        }
        try await group.waitForAll()
      }
    }
    while journal.entered.load(ordering: .relaxed) == 0 {
      try await Task.sleep(for: .milliseconds(5))
    }
    // Plenty of pool work while the append is stuck; it finishes only if the pool is free.
    let sums = await withTaskGroup(of: Int.self) { group in
      for index in 0..<32 { group.addTask { (0...index).reduce(0, +) } }
      return await group.reduce(0, +)
    }
    #expect(sums == (0..<32).map { $0 * ($0 + 1) / 2 }.reduce(0, +))
    // Run on the pool, the stuck appends would hold its threads: the work above could not
    // finish before the append's timeout (no wall-clock bound: beside the whole suite the pool
    // is busy with other tests for many seconds).
    #expect(journal.timedOut.load(ordering: .relaxed) == 0)
    #expect(journal.entered.load(ordering: .relaxed) == 1)  // one writer at a time
    #expect(store.revision == 0)  // nothing visible before the journal returns
    for _ in 0..<16 { journal.release.signal() }
    try await writers.value
    #expect(store.revision == 16)
  }
}
