import FairwayProto
import Foundation
import Testing

@testable import FairwayEtcd

/// A lease-held owner key in a real etcd: one owner at a time, handed over when it dies.
@Suite(.serialized, .enabled(if: EtcdServer.isInstalled, "needs /usr/bin/etcd (make deps-debian)"))
struct EtcdOwnershipTests {
  @Test func oneOwnerAtATimeAndTheOtherTakesOverWhenItDies() async throws {
    let etcd = try EtcdServer()
    try await etcd.start()
    defer { etcd.stop() }
    let clientA = try EtcdClient(configuration: etcd.configuration())
    let clientB = try EtcdClient(configuration: etcd.configuration())
    defer { clientB.close() }
    let a = EtcdOwnership(
      client: clientA, key: "/fairway/owner/registry", identity: "a", ttlSeconds: 2)
    let b = EtcdOwnership(
      client: clientB, key: "/fairway/owner/registry", identity: "b", ttlSeconds: 2)
    let runA = Task { await a.run() }
    #expect(await EtcdConfigStoreTests.eventually { a.isOwner })
    let runB = Task { await b.run() }
    defer { runB.cancel() }
    // B waits while A holds the lease (several TTLs).
    for _ in 0..<30 {
      try await Task.sleep(for: .milliseconds(100))
      #expect(a.isOwner && !b.isOwner)
    }
    #expect(try await b.currentOwner() == "a")
    // A dies without a goodbye: its connection closes, keep-alives stop, the lease expires.
    clientA.close()
    runA.cancel()
    let died = ContinuousClock.now
    #expect(await EtcdConfigStoreTests.eventually(8) { b.isOwner })
    #expect(ContinuousClock.now - died < .seconds(5))
    #expect(try await b.currentOwner() == "b")
  }

  @Test func stoppingHandsOverAtOnce() async throws {
    let etcd = try EtcdServer()
    try await etcd.start()
    defer { etcd.stop() }
    let clientA = try EtcdClient(configuration: etcd.configuration())
    let clientB = try EtcdClient(configuration: etcd.configuration())
    defer {
      clientA.close()
      clientB.close()
    }
    let a = EtcdOwnership(client: clientA, key: "/fairway/owner/x", identity: "a", ttlSeconds: 30)
    let b = EtcdOwnership(client: clientB, key: "/fairway/owner/x", identity: "b", ttlSeconds: 30)
    let runA = Task { await a.run() }
    #expect(await EtcdConfigStoreTests.eventually { a.isOwner })
    let runB = Task { await b.run() }
    defer { runB.cancel() }
    runA.cancel()
    await runA.value
    // The lease was revoked: B takes over well before the 30 s TTL.
    #expect(await EtcdConfigStoreTests.eventually(10) { b.isOwner })
    #expect(try await b.currentOwner() == "b")
  }
}
