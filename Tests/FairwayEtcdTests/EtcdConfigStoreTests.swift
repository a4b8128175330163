import FairwayMesh
import FairwayProto
import FairwayStore
import Foundation
import Testing

@testable import FairwayEtcd

/// `EtcdConfigStore` against a real etcd (Debian's etcd-server) started on loopback per test.
/// Two stores on the same etcd stand for two Fairway replicas.
@Suite(.serialized, .enabled(if: EtcdServer.isInstalled, "needs /usr/bin/etcd (make deps-debian)"))
struct EtcdConfigStoreTests {
  static func workload(_ name: String, address: String = "10.0.0.1", resourceVersion: String? = nil)
    -> ConfigObject
  {
    var spec = WorkloadEntry()
    spec.address = address
    return ConfigObject(
      key: ConfigKey(kind: .workloadEntry, namespace: "default", name: name),
      apiVersion: "networking.istio.io/v1",
      metadata: ConfigMetadata(resourceVersion: resourceVersion),
      spec: .workloadEntry(spec),
      rawSpec: .object(["address": .string(address)]))
  }

  static func key(_ name: String) -> ConfigKey {
    ConfigKey(kind: .workloadEntry, namespace: "default", name: name)
  }

  /// Polls `condition` every 10 ms for at most `seconds`.
  static func eventually(
    _ seconds: Double = 5, _ condition: @Sendable () async -> Bool
  ) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
      if await condition() { return true }
      try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
  }

  /// The next `count` events of `stream`, waiting at most `seconds` in all.
  static func next(_ count: Int, of stream: ConfigEventStream, within seconds: Double = 5) async
    -> [ConfigEvent]
  {
    await withTaskGroup(of: [ConfigEvent].self) { group in
      group.addTask {
        var events: [ConfigEvent] = []
        for await event in stream {
          events.append(event)
          if events.count == count { break }
        }
        return events
      }
      group.addTask {
        try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        return []
      }
      let first = await group.next() ?? []
      group.cancelAll()
      // The collector ends on cancellation with what it had; prefer the longer answer.
      let second = await group.next() ?? []
      return first.count >= second.count ? first : second
    }
  }

  /// A fresh etcd and two stores on it (two replicas), all stopped after `body`.
  static func withReplicas(
    requestTimeout: Duration = .seconds(10),
    _ body: (EtcdServer, EtcdConfigStore, EtcdConfigStore) async throws -> Void
  ) async throws {
    let etcd = try EtcdServer()
    try await etcd.start()
    defer { etcd.stop() }
    let configuration = etcd.configuration(requestTimeout: requestTimeout)
    let one = try await EtcdConfigStore.connect(configuration)
    defer { one.shutdown() }
    let two = try await EtcdConfigStore.connect(configuration)
    defer { two.shutdown() }
    try await body(etcd, one, two)
  }

  static func outcome(_ body: () async throws -> [ApplyResult]) async -> Result<
    [ApplyResult], any Error
  > {
    do { return .success(try await body()) } catch { return .failure(error) }
  }

  @Test func aBatchIsOneTransactionWithOneRevisionSeenByEveryReplica() async throws {
    try await Self.withReplicas { _, one, two in
      let results = try await one.apply([
        Self.workload("a"), Self.workload("b"), Self.workload("c"),
      ])
      #expect(results.map(\.action) == [.created, .created, .created])
      let versions = Set(results.map(\.resourceVersion))
      #expect(versions.count == 1)
      let revision = try #require(versions.first.flatMap { Int64($0) })
      #expect(await one.revision == revision)
      // Read-your-write on the replica that applied, and the same versions on the other one.
      #expect(await one.get(Self.key("b"))?.metadata.resourceVersion == String(revision))
      #expect(await Self.eventually { await two.revision == revision })
      #expect(await two.list(kind: .workloadEntry, namespace: nil).map(\.name) == ["a", "b", "c"])
      #expect(await two.get(Self.key("c")) == (await one.get(Self.key("c"))))
      #expect(await two.snapshot().revision == revision)
    }
  }

  @Test func aStaleResourceVersionFailsTheWholeBatchAndTheOtherReplicaWinsTheRace() async throws {
    try await Self.withReplicas { _, one, two in
      let created = try await one.apply([Self.workload("a")])[0].resourceVersion
      #expect(await Self.eventually { await two.get(Self.key("a")) != nil })
      // Both replicas update from the same version: one commits, the other gets a conflict.
      let update = Self.workload("a", address: "10.0.0.2", resourceVersion: created)
      let race = Self.workload("a", address: "10.0.0.3", resourceVersion: created)
      async let first = Self.outcome { try await one.apply([update]) }
      async let second = Self.outcome { try await two.apply([race]) }
      let outcomes = await [first, second]
      let conflicts = outcomes.filter {
        if case .failure(let error) = $0, case .conflict? = error as? ConfigStoreError {
          return true
        }
        return false
      }
      #expect(conflicts.count == 1)
      #expect(outcomes.count(where: { (try? $0.get()) != nil }) == 1)
      // A batch with a new object and a stale version changes nothing.
      let revision = one.revision
      await #expect(throws: ConfigStoreError.self) {
        try await one.apply([Self.workload("new"), update])
      }
      #expect(await one.get(Self.key("new")) == nil)
      var check = Etcdserverpb_RangeRequest()
      check.key = Data("/fairway/configs/WorkloadEntry/default/new".utf8)
      #expect(try await one.client.range(check).kvs.isEmpty)
      #expect(await one.revision == revision)
    }
  }

  @Test func anUnchangedObjectWritesNothingAndEmitsNoEvent() async throws {
    try await Self.withReplicas { _, one, _ in
      let created = try await one.apply([Self.workload("a")])[0]
      let events = one.events()
      let again = try await one.apply([Self.workload("a"), Self.workload("b")])
      #expect(again.map(\.action) == [.unchanged, .created])
      #expect(again[0].object == created.object)
      let seen = await Self.next(1, of: events)
      #expect(seen.map(\.name) == ["b"])
      let alone = try await one.apply([Self.workload("a")])
      #expect(alone.map(\.action) == [.unchanged])
      #expect(await one.revision == Int64(again[1].resourceVersion))
    }
  }

  @Test func writesFromAnotherReplicaArriveAsEvents() async throws {
    try await Self.withReplicas { _, one, two in
      // Read after each write: a subscriber that falls behind gets same-key changes merged.
      let events = two.events()
      let created = try await one.apply([Self.workload("a"), Self.workload("b")])
      let creations = await Self.next(2, of: events)
      #expect(creations.map(\.name) == ["a", "b"])
      #expect(creations.allSatisfy { $0.old == nil })
      #expect(creations.first?.new == created[0].object)
      #expect(creations.first?.revision == Int64(created[0].resourceVersion))
      let updated = try await one.apply([Self.workload("a", address: "10.0.0.9")])
      let update = await Self.next(1, of: events)
      #expect(update.first?.old?.metadata.resourceVersion == created[0].resourceVersion)
      #expect(update.first?.new == updated[0].object)
      let deleted = try await one.delete(Self.key("b"))
      #expect(deleted.metadata.resourceVersion == created[1].resourceVersion)
      let deletion = await Self.next(1, of: events)
      #expect(
        deletion.first?.name == "b" && deletion.first?.old != nil && deletion.first?.new == nil)
      #expect(deletion.first?.revision == (await one.revision))
      #expect(await two.revision == (await one.revision))
      await #expect(throws: ConfigStoreError.notFound(Self.key("b"))) {
        try await two.delete(Self.key("b"))
      }
    }
  }

  @Test func aCompactedWatchRevisionResyncsWithExactlyTheDifferences() async throws {
    try await Self.withReplicas { _, one, two in
      try await one.apply([Self.workload("same"), Self.workload("changed"), Self.workload("gone")])
      #expect(await Self.eventually { await two.list(kind: nil, namespace: nil).count == 3 })
      let events = two.events()
      // Paused until the compaction is done, however slow the machine: a watch resuming
      // before it would catch up without a resync.
      two.interruptWatch(for: .seconds(60))
      try await one.apply([Self.workload("changed", address: "10.9.9.9")])
      try await one.apply([Self.workload("added")])
      try await one.delete(Self.key("gone"))
      // Churn so the watch's resume revision is far behind, then compact past it.
      try await one.apply([Self.workload("added", address: "10.1.1.1")])
      try await one.apply([Self.workload("added", address: "10.1.1.2")])
      try await one.client.compact(revision: await one.revision)
      two.resumeWatch()
      let seen = await Self.next(3, of: events, within: 10)
      #expect(Set(seen.map(\.name)) == ["changed", "added", "gone"])
      #expect(seen.first(where: { $0.name == "gone" })?.new == nil)
      #expect(seen.first(where: { $0.name == "added" })?.old == nil)
      #expect(
        seen.first(where: { $0.name == "added" })?.new == (await one.get(Self.key("added"))))
      #expect(two.resyncCount == 1)
      #expect(
        await two.list(kind: nil, namespace: nil) == (await one.list(kind: nil, namespace: nil)))
      #expect(await two.revision == (await one.revision))
      // Nothing more: the unchanged object was not replayed.
      #expect(await Self.next(1, of: events, within: 0.5).isEmpty)
    }
  }

  @Test func etcdDownFailsWritesCleanlyServesTheCopyAndCatchesUpAfter() async throws {
    // A short timeout: the test times how fast a write fails while etcd is down.
    try await Self.withReplicas(requestTimeout: .seconds(3)) { etcd, one, two in
      try await one.apply([Self.workload("a")])
      #expect(await Self.eventually { one.isReady && two.isReady })
      etcd.stop()
      let started = ContinuousClock.now
      do {
        try await one.apply([Self.workload("b")])
        Issue.record("applied with etcd down")
      } catch let error as ConfigStoreError {
        guard case .unavailable(let message) = error else {
          Issue.record("wrong error \(error)")
          return
        }
        #expect(message.contains("etcd at 127.0.0.1:\(etcd.clientPort) unreachable"))
      }
      #expect(ContinuousClock.now - started < .seconds(4))
      await #expect(throws: ConfigStoreError.self) { try await one.delete(Self.key("a")) }
      #expect(await Self.eventually { !one.isReady && !two.isReady })
      #expect(await one.get(Self.key("a"))?.name == "a")
      #expect(await two.snapshot().revision == (await one.revision))

      try await etcd.start()
      #expect(await Self.eventually(10) { one.isReady && two.isReady })
      let events = one.events()
      let written = try await two.apply([Self.workload("b")])
      let seen = await Self.next(1, of: events)
      #expect(seen.first?.new == written[0].object)
      #expect(await one.revision == Int64(written[0].resourceVersion))
    }
  }

  /// etcd pings after every request it receives and grpc-swift closes a connection pinged over
  /// 200 times in 30 s: a burst of writes must neither fail nor cost the watch.
  @Test func aBurstOfWritesKeepsTheWatchAndFailsNothing() async throws {
    try await Self.withReplicas { _, one, two in
      for i in 0..<250 {
        try await one.apply([
          Self.workload("burst-\(i % 10)", address: "10.7.\(i / 250).\(i % 250 + 1)")
        ])
      }
      #expect(await Self.eventually { await two.revision == (await one.revision) })
      #expect(one.watchLossCount == 0)
      #expect(two.watchLossCount == 0)
      #expect(one.isReady && two.isReady)
    }
  }

  @Test func theCrossObjectDubboRulesHold() async throws {
    try await Self.withReplicas { _, one, two in
      let parser = ConfigParser()
      let service = try parser.parse(
        Data(
          """
          apiVersion: networking.istio.io/v1
          kind: ServiceEntry
          metadata: {name: demo, namespace: dubbo}
          spec:
            hosts: [mosn.io.dubbo.DemoService]
            resolution: STATIC
            ports: [{number: 20880, name: tcp-dubbo, protocol: TCP}]
            endpoints: [{address: 10.0.0.11}]
          """.utf8), format: .yaml
      ).objects
      let route = try parser.parse(
        Data(
          """
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: demo, namespace: dubbo}
          spec:
            hosts: [mosn.io.dubbo.DemoService]
            http:
            - route: [{destination: {host: mosn.io.dubbo.DemoService}}]
              rewrite: {uri: /}
          """.utf8), format: .yaml
      ).objects
      try await one.apply(service)
      // The other replica learned of the Dubbo service through the watch and refuses the route.
      #expect(
        await Self.eventually { await two.list(kind: .serviceEntry, namespace: nil).count == 1 })
      await #expect(throws: ConfigValidationError.self) { try await two.apply(route) }
      #expect(await two.list(kind: .virtualService, namespace: nil).isEmpty)
    }
  }

  @Test func endpointsParse() throws {
    #expect(
      try EtcdConfiguration.parse(url: "etcd://127.0.0.1:2379,127.0.0.2:2380") == [
        .init(host: "127.0.0.1", port: 2379), .init(host: "127.0.0.2", port: 2380),
      ])
    #expect(try EtcdConfiguration.parse(url: "etcd://etcd.local:2379").count == 1)
    #expect(throws: EtcdConfiguration.ParseError.self) {
      try EtcdConfiguration.parse(url: "http://127.0.0.1:2379")
    }
    #expect(throws: EtcdConfiguration.ParseError.self) {
      try EtcdConfiguration.parse(url: "etcd://127.0.0.1")
    }
    #expect(throws: EtcdConfiguration.ParseError.self) {
      try EtcdConfiguration.parse(url: "etcd://a.example:1,b.example:2")
    }
  }
}
