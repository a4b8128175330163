import FairwayResources
import Testing

@testable import FairwayXDS

@Suite struct PushThrottleTests {
  typealias Window = PushWindow<String>

  /// The window behind a reference, so `#expect` can take its mutating calls apart; the clock
  /// is whatever `now` says.
  final class Harness {
    var window: Window
    var now = ContinuousClock.now

    init(limit: Int, lease: Duration) {
      window = Window(limit: limit, lease: lease)
    }

    var bytesInFlight: Int { window.bytesInFlight }
    var waiting: Int { window.waiting }
    var waited: Int { window.waited }
    var expired: Int { window.expired }

    func admit(_ key: Window.Key, bytes: Int, waiter: String) -> Bool {
      window.admit(key, bytes: bytes, waiter: waiter, now: now)
    }
    func acknowledge(_ key: Window.Key) -> [String] { window.acknowledge(key, now: now) }
    func end(stream: UInt64) -> [String] { window.end(stream: stream, now: now) }
    func expireLeases() -> [String] { window.expireLeases(now: now) }
    func withdraw(_ waiter: String) -> String? { window.withdraw { $0 == waiter } }
  }

  func key(_ stream: UInt64, _ type: XDSResourceType = .route) -> Window.Key {
    Window.Key(stream: stream, type: type)
  }

  @Test func admitsWithinTheWindowThenQueuesInArrivalOrder() {
    let window = Harness(limit: 1_000, lease: .seconds(1))
    #expect(window.admit(key(1), bytes: 600, waiter: "a"))
    #expect(window.admit(key(2), bytes: 400, waiter: "b"))
    #expect(!window.admit(key(3), bytes: 500, waiter: "c"))
    // Small enough to fit, but it must not overtake the stream already waiting.
    #expect(!window.admit(key(4), bytes: 1, waiter: "d"))
    #expect(window.bytesInFlight == 1_000)
    #expect(window.waiting == 2)

    #expect(window.acknowledge(key(2)) == [])
    #expect(window.acknowledge(key(1)) == ["c", "d"])
    #expect(window.bytesInFlight == 501)
    #expect(window.waiting == 0)
    #expect(window.waited == 2)
  }

  @Test func aStreamWithAResponseInFlightIsNeverHeldBack() {
    let window = Harness(limit: 1_000, lease: .seconds(1))
    #expect(window.admit(key(1, .cluster), bytes: 900, waiter: "cds"))
    #expect(!window.admit(key(2), bytes: 500, waiter: "other"))
    // The same stream's EDS, LDS and RDS follow its CDS, above the window.
    #expect(window.admit(key(1, .endpoint), bytes: 900, waiter: "eds"))
    #expect(window.admit(key(1, .listener), bytes: 900, waiter: "lds"))
    #expect(window.bytesInFlight == 2_700)
    #expect(window.acknowledge(key(1, .cluster)) == [])
    #expect(window.end(stream: 1) == ["other"])
    #expect(window.bytesInFlight == 500)
  }

  @Test func aResponseLargerThanTheWindowGoesOutAlone() {
    let window = Harness(limit: 1_000, lease: .seconds(1))
    #expect(window.admit(key(1), bytes: 5_000, waiter: "big"))
    #expect(!window.admit(key(2), bytes: 10, waiter: "small"))
    #expect(window.acknowledge(key(1)) == ["small"])

    let empty = Harness(limit: 1_000, lease: .seconds(1))
    #expect(empty.admit(key(3), bytes: 5_000, waiter: "alone"))
  }

  @Test func aNewerResponseOfTheSameTypeReplacesTheOlderOne() {
    let window = Harness(limit: 1_000, lease: .seconds(1))
    #expect(window.admit(key(1), bytes: 700, waiter: "v1"))
    #expect(window.admit(key(1), bytes: 200, waiter: "v2"))
    #expect(window.bytesInFlight == 200)
    #expect(window.acknowledge(key(1)) == [])
    #expect(window.bytesInFlight == 0)
    // An ACK of something no longer in flight changes nothing.
    #expect(window.acknowledge(key(1)) == [])
    #expect(window.bytesInFlight == 0)
  }

  @Test func unacknowledgedResponsesStopCountingWhenTheirLeaseRunsOut() {
    let window = Harness(limit: 1_000, lease: .seconds(1))
    let start = window.now
    #expect(window.admit(key(1), bytes: 800, waiter: "silent"))
    window.now = start + .milliseconds(600)
    #expect(window.admit(key(2), bytes: 200, waiter: "acks"))
    window.now = start + .milliseconds(700)
    #expect(!window.admit(key(3), bytes: 500, waiter: "waits"))
    window.now = start + .milliseconds(999)
    #expect(window.expireLeases() == [])
    window.now = start + .seconds(1)
    #expect(window.expireLeases() == ["waits"])
    #expect(window.expired == 1)
    #expect(window.bytesInFlight == 700)
    // The late ACK of the expired response finds nothing to release.
    window.now = start + .seconds(2)
    #expect(window.acknowledge(key(1)) == [])
    #expect(window.bytesInFlight == 700)
  }

  @Test func aWithdrawnWaiterLeavesTheQueue() {
    let window = Harness(limit: 100, lease: .seconds(1))
    #expect(window.admit(key(1), bytes: 100, waiter: "a"))
    #expect(!window.admit(key(2), bytes: 100, waiter: "b"))
    #expect(!window.admit(key(3), bytes: 100, waiter: "c"))
    #expect(window.withdraw("b") == "b")
    #expect(window.withdraw("b") == nil)
    #expect(window.acknowledge(key(1)) == ["c"])
    #expect(window.waiting == 0)
  }

  @Test func manyStreamsPassThroughInOrder() {
    let window = Harness(limit: 10, lease: .seconds(1))
    var admitted: [String] = []
    for stream in 0..<500 {
      if window.admit(key(UInt64(stream)), bytes: 10, waiter: "\(stream)") {
        admitted.append("\(stream)")
      }
    }
    #expect(admitted == ["0"])
    for stream in 0..<500 {
      admitted += window.acknowledge(key(UInt64(stream)))
    }
    #expect(admitted == (0..<500).map { "\($0)" })
    #expect(window.bytesInFlight == 0)
    #expect(window.waiting == 0)
  }

  /// A full window (stream 1 in flight) and stream 2's task queued behind it; the wait for
  /// the task to queue is bounded.
  static func throttleWithAWaiter() async -> (PushThrottle, Task<Void, Never>) {
    let throttle = PushThrottle(limit: 100, lease: .seconds(30))
    await throttle.admit(stream: 1, type: .route, bytes: 100)
    let waiter = Task { await throttle.admit(stream: 2, type: .route, bytes: 100) }
    var tries = 0
    while throttle.queued == 0, tries < 10_000 {
      tries += 1
      try? await Task.sleep(for: .milliseconds(1))
    }
    return (throttle, waiter)
  }

  /// The real throttle with tasks: a second stream waits until the first is acknowledged.
  @Test func throttleResumesAWaitingStreamOnAcknowledgement() async {
    let (throttle, waiter) = await Self.throttleWithAWaiter()
    #expect(throttle.queued == 1)
    throttle.acknowledge(stream: 1, type: .route)
    await waiter.value
    #expect(throttle.counts.waited == 1)
  }

  @Test func throttleLetsACancelledWaiterGo() async {
    let (throttle, waiter) = await Self.throttleWithAWaiter()
    #expect(throttle.queued == 1)
    waiter.cancel()
    await waiter.value
    #expect(throttle.queued == 0)
    #expect(throttle.counts.waited == 0)
  }

  @Test func throttleExpiresTheLeaseOfAProxyThatNeverAcknowledges() async {
    let throttle = PushThrottle(limit: 100, lease: .milliseconds(100))
    let leases = Task { await throttle.run() }
    defer { leases.cancel() }
    await throttle.admit(stream: 1, type: .route, bytes: 100)
    await throttle.admit(stream: 2, type: .route, bytes: 100)
    #expect(throttle.counts == (waited: 1, expired: 1))
  }

  /// A lease of 30 s runs out when the injected clock says so, checked every quarter lease.
  @Test func leasesRunOutOnTheInjectedClock() async throws {
    let clock = ManualClock()
    let throttle = PushThrottle(limit: 100, lease: .seconds(30), clock: clock)
    let leases = Task { await throttle.run() }
    defer { leases.cancel() }
    await throttle.admit(stream: 1, type: .route, bytes: 100)
    let waiter = Task { await throttle.admit(stream: 2, type: .route, bytes: 100) }
    try await eventually { throttle.queued == 1 && clock.sleeperCount == 1 }
    for _ in 0..<3 {
      clock.advance(by: .milliseconds(7_500))
      try await eventually { clock.sleeperCount == 1 }
      #expect(throttle.queued == 1)
    }
    clock.advance(by: .milliseconds(7_500))
    await waiter.value
    #expect(throttle.counts == (waited: 1, expired: 1))
  }

  @Test func throttleOffNeverWaits() async {
    let throttle = PushThrottle(limit: nil, lease: .seconds(30))
    for stream in 0..<100 {
      await throttle.admit(stream: UInt64(stream), type: .route, bytes: 1 << 30)
    }
    #expect(throttle.counts.waited == 0)
  }
}
