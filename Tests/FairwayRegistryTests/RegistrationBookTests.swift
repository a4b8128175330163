import FairwayMesh
import FairwayRegistry
import Foundation
import Testing

/// The auto-registration state machine, driven with explicit times (its clock is the caller's).
@Suite struct RegistrationBookTests {
  static let start = Date(timeIntervalSince1970: 1_800_000_000)
  static let entry = ConfigKey(kind: .workloadEntry, namespace: "vm", name: "app-10.0.0.1")
  static let request = RegistrationRequest(
    entry: entry, group: ConfigKey(kind: .workloadGroup, namespace: "vm", name: "app"),
    proxyID: "sidecar~10.0.0.1~app-1.vm~vm.svc.cluster.local", address: "10.0.0.1")

  func at(_ seconds: Double) -> Date { Self.start.addingTimeInterval(seconds) }

  @Test func connectRegistersOnce() {
    var book = RegistrationBook(grace: 10)
    #expect(
      book.connect(stream: 1, request: Self.request, at: at(0)) == [
        .register(Self.request, connectedAt: at(0))
      ])
    #expect(book.phases[Self.entry] == .connected(streams: [1], since: at(0)))
    // The same stream announced twice changes nothing.
    #expect(book.connect(stream: 1, request: Self.request, at: at(1)).isEmpty)
  }

  @Test func disconnectWaitsOutTheGraceThenDeletes() {
    var book = RegistrationBook(grace: 10)
    _ = book.connect(stream: 1, request: Self.request, at: at(0))
    #expect(
      book.disconnect(stream: 1, at: at(5)) == [
        .markDisconnected(Self.entry, connectedAt: at(0), at: at(5))
      ])
    #expect(book.nextDeadline == at(15))
    #expect(book.expire(at: at(14.999)).isEmpty)
    #expect(book.expire(at: at(15)) == [.delete(Self.entry)])
    #expect(book.phases.isEmpty)
    #expect(book.expire(at: at(100)).isEmpty)
  }

  @Test func reconnectWithinTheGraceKeepsTheEntry() {
    var book = RegistrationBook(grace: 10)
    _ = book.connect(stream: 1, request: Self.request, at: at(0))
    _ = book.disconnect(stream: 1, at: at(5))
    #expect(
      book.connect(stream: 2, request: Self.request, at: at(9)) == [
        .register(Self.request, connectedAt: at(9))
      ])
    #expect(book.expire(at: at(30)).isEmpty)
    #expect(book.phases[Self.entry] == .connected(streams: [2], since: at(9)))
    // The old stream's late end is not the proxy's.
    #expect(book.disconnect(stream: 1, at: at(31)).isEmpty)
  }

  @Test func secondStreamHoldsTheEntryUntilTheLastEnds() {
    var book = RegistrationBook(grace: 10)
    _ = book.connect(stream: 1, request: Self.request, at: at(0))
    #expect(book.connect(stream: 2, request: Self.request, at: at(1)).isEmpty)
    #expect(book.disconnect(stream: 1, at: at(2)).isEmpty)
    #expect(book.expire(at: at(100)).isEmpty)
    #expect(
      book.disconnect(stream: 2, at: at(3)) == [
        .markDisconnected(Self.entry, connectedAt: at(0), at: at(3))
      ])
    #expect(book.expire(at: at(13)) == [.delete(Self.entry)])
  }

  @Test func healthGoesToTheStreamsEntryOnly() {
    var book = RegistrationBook(grace: 10)
    _ = book.connect(stream: 1, request: Self.request, at: at(0))
    #expect(
      book.health(stream: 1, healthy: false, message: "probe failed") == [
        .reportHealth(Self.entry, healthy: false, message: "probe failed")
      ])
    #expect(book.health(stream: 9, healthy: true, message: nil).isEmpty)
    _ = book.disconnect(stream: 1, at: at(1))
    #expect(book.health(stream: 1, healthy: true, message: nil).isEmpty)
  }

  /// After a restart: an entry this instance left connected gets the whole grace from now and is
  /// marked disconnected; one already marked keeps its own time; a proxy that comes back keeps
  /// its entry.
  @Test func restartAdoptsLeftoversAndCleansThemUp() {
    var book = RegistrationBook(grace: 10)
    let other = ConfigKey(kind: .workloadEntry, namespace: "vm", name: "app-10.0.0.2")
    let third = ConfigKey(kind: .workloadEntry, namespace: "vm", name: "app-10.0.0.3")
    #expect(
      book.adopt(Self.entry, connectedAt: at(-100), disconnectedAt: nil, now: at(0)) == [
        .markDisconnected(Self.entry, connectedAt: at(-100), at: at(0))
      ])
    #expect(book.adopt(other, connectedAt: nil, disconnectedAt: at(-5), now: at(0)).isEmpty)
    #expect(book.adopt(third, connectedAt: at(-50), disconnectedAt: nil, now: at(0)).count == 1)
    // The first proxy reconnects in time.
    #expect(book.connect(stream: 7, request: Self.request, at: at(2)).count == 1)
    #expect(book.expire(at: at(5)) == [.delete(other)])
    #expect(book.expire(at: at(10)) == [.delete(third)])
    #expect(book.phases.keys.sorted() == [Self.entry])
    // A sweep that finds the entry again while its stream is open leaves it alone.
    #expect(book.adopt(Self.entry, connectedAt: at(2), disconnectedAt: nil, now: at(20)).isEmpty)
  }

  @Test func expiryIsBoundedPerStepOldestFirst() {
    var book = RegistrationBook(grace: 1)
    let keys = (0..<5).map { ConfigKey(kind: .workloadEntry, namespace: "vm", name: "e\($0)") }
    for (index, key) in keys.enumerated().reversed() {
      _ = book.adopt(key, connectedAt: nil, disconnectedAt: at(Double(index)), now: at(10))
    }
    #expect(book.expire(at: at(20), limit: 2) == [.delete(keys[0]), .delete(keys[1])])
    #expect(book.expire(at: at(20), limit: 2) == [.delete(keys[2]), .delete(keys[3])])
    #expect(book.expire(at: at(20), limit: 2) == [.delete(keys[4])])
  }
}
