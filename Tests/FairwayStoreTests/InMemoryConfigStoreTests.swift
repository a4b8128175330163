import FairwayMesh
import FairwayStore
import Foundation
import Testing

@Suite struct InMemoryConfigStoreTests {
  @Test func createConfigureUnchanged() throws {
    let store = InMemoryConfigStore()
    let created = try store.apply([StoreFixtures.workload("a"), StoreFixtures.workload("b")])
    #expect(created.map(\.action) == [.created, .created])
    #expect(created.map(\.resourceVersion) == ["1", "2"])
    #expect(store.revision == 2)

    let unchanged = try store.apply([StoreFixtures.workload("a")])
    #expect(unchanged.map(\.action) == [.unchanged])
    #expect(unchanged[0].resourceVersion == "1")
    #expect(store.revision == 2)

    let configured = try store.apply([StoreFixtures.workload("a", address: "10.0.0.9")])
    #expect(configured.map(\.action) == [.configured])
    #expect(store.revision == 3)
    let stored = try #require(
      store.get(ConfigKey(kind: .workloadEntry, namespace: "default", name: "a")))
    #expect(stored.metadata.generation == 2)
    #expect(stored.metadata.resourceVersion == "3")
    #expect(stored.metadata.creationTimestamp == created[0].object.metadata.creationTimestamp)
  }

  @Test func staleResourceVersionFailsTheWholeBatch() throws {
    let store = InMemoryConfigStore()
    try store.apply([StoreFixtures.workload("a")])
    #expect(throws: ConfigStoreError.self) {
      try store.apply([
        StoreFixtures.workload("new"),
        StoreFixtures.workload("a", address: "10.0.0.2", resourceVersion: "99"),
      ])
    }
    #expect(store.count == 1)
    #expect(store.revision == 1)
    // The current version passes.
    let ok = try store.apply([
      StoreFixtures.workload("a", address: "10.0.0.2", resourceVersion: "1")
    ])
    #expect(ok[0].action == .configured)
  }

  @Test func deleteAndList() throws {
    let store = InMemoryConfigStore()
    try store.apply([
      StoreFixtures.workload("b", namespace: "x"), StoreFixtures.workload("a", namespace: "y"),
      StoreFixtures.workload("a", namespace: "x"),
    ])
    #expect(
      store.list(kind: .workloadEntry, namespace: nil).map { "\($0.namespace)/\($0.name)" } == [
        "x/a", "x/b", "y/a",
      ])
    #expect(store.list(kind: .workloadEntry, namespace: "x").count == 2)
    #expect(store.list(kind: .serviceEntry, namespace: nil).isEmpty)
    let key = ConfigKey(kind: .workloadEntry, namespace: "x", name: "a")
    try store.delete(key)
    #expect(store.get(key) == nil)
    #expect(store.revision == 4)
    #expect(throws: ConfigStoreError.notFound(key)) { try store.delete(key) }
  }

  @Test func eventsCarryOldNewAndRevision() async throws {
    let store = InMemoryConfigStore()
    let stream = store.events()
    var iterator = stream.makeAsyncIterator()
    try await store.apply([StoreFixtures.workload("a")])
    try await store.apply([StoreFixtures.workload("a")])  // unchanged: no event
    try await store.apply([StoreFixtures.workload("b")])
    let first = try #require(await iterator.next())
    #expect(first.name == "a" && first.old == nil && first.new != nil && first.revision == 1)
    let second = try #require(await iterator.next())
    #expect(second.name == "b" && second.revision == 2)
    try await store.delete(ConfigKey(kind: .workloadEntry, namespace: "default", name: "b"))
    let third = try #require(await iterator.next())
    #expect(third.name == "b" && third.old != nil && third.new == nil && third.revision == 3)
    #expect(stream.pendingCount == 0)

    // Not consumed in time: create + delete of one key coalesce into one event.
    try await store.apply([StoreFixtures.workload("c")])
    try await store.delete(ConfigKey(kind: .workloadEntry, namespace: "default", name: "c"))
    let merged = try #require(await iterator.next())
    #expect(merged.name == "c" && merged.old == nil && merged.new == nil && merged.revision == 5)
  }

  @Test func slowSubscriberGetsCoalescedEventsInRevisionOrder() async throws {
    let store = InMemoryConfigStore()
    let slow = store.events()
    for round in 0..<1_000 {
      try await store.apply([
        StoreFixtures.workload("hot", address: "10.0.\(round / 250).\(round % 250)"),
        StoreFixtures.workload("cold-\(round % 10)", address: "10.1.0.\(round % 200)"),
      ])
    }
    // At most one pending event per key, not one per change.
    #expect(slow.pendingCount == 11)
    var seen: [ConfigEvent] = []
    for await event in slow {
      seen.append(event)
      if seen.count == 11 { break }
    }
    #expect(seen.map(\.revision) == seen.map(\.revision).sorted())
    let hot = try #require(seen.first { $0.name == "hot" })
    #expect(hot.old == nil)  // first old: the key did not exist when the subscriber fell behind
    #expect(hot.new?.rawSpec == .object(["address": .string("10.0.3.249")]))
    #expect(hot.revision == store.revision - 1)  // cold-9 was applied after it in the last batch
  }

  @Test func manySubscribersAllSeeEverything() async throws {
    let store = InMemoryConfigStore()
    let streams = (0..<5).map { _ in store.events() }
    try await withThrowingTaskGroup(of: Void.self) { group in
      for index in 0..<100 {
        group.addTask { try await store.apply([StoreFixtures.workload("w\(index)")]) }
      }
      try await group.waitForAll()
    }
    #expect(store.revision == 100)
    for stream in streams {
      var names = Set<String>()
      var last: Int64 = 0
      for await event in stream {
        #expect(event.revision > last)
        last = event.revision
        names.insert(event.name)
        if names.count == 100 { break }
      }
      #expect(names.count == 100)
    }
  }

  @Test func cancellingTheConsumerEndsTheSequence() async throws {
    let store = InMemoryConfigStore()
    let stream = store.events()
    let task = Task {
      var count = 0
      for await _ in stream { count += 1 }
      return count
    }
    try await Task.sleep(for: .milliseconds(50))
    task.cancel()
    #expect(await task.value == 0)
  }

  @Test func snapshotOfTenThousandObjectsIsCheapAndCached() throws {
    let store = InMemoryConfigStore()
    let objects = (0..<10_000).map { StoreFixtures.workload("w\($0)", namespace: "ns\($0 % 50)") }
    try store.apply(objects)
    let clock = ContinuousClock()
    var snapshot = MeshSnapshot.empty
    let elapsed = clock.measure { snapshot = store.snapshot() }
    #expect(snapshot.revision == 10_000)
    #expect(snapshot.workloadEntries.count == 10_000)
    #expect(elapsed < .seconds(2))
    let cached = clock.measure { _ = store.snapshot() }
    #expect(cached < .milliseconds(50))
    try store.apply([StoreFixtures.workload("w0", namespace: "ns0", address: "10.9.9.9")])
    #expect(store.snapshot().revision == 10_001)
  }
}
