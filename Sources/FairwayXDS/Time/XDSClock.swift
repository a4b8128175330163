/// The time the push path runs on: when the debounce pushes, when a throttle lease runs out,
/// when the heap is trimmed. The server uses the continuous clock (`ContinuousXDSClock`);
/// tests use `ManualClock`, which moves only when told, so a debounce of 100 ms or 10 s is a
/// step in a test rather than a wait.
///
/// Instants are `ContinuousClock.Instant` whatever the clock, so a `PushScope` stamped by one
/// compares with instants of the others and no type in the push path is generic over a clock.
protocol XDSClock: Sendable {
  var now: ContinuousClock.Instant { get }

  /// Returns at `deadline` (at once when it has passed).
  ///
  /// - Throws: `CancellationError` when the task is cancelled first.
  func sleep(until deadline: ContinuousClock.Instant) async throws
}

extension XDSClock {
  func sleep(for duration: Duration) async throws {
    try await sleep(until: now + duration)
  }
}

/// The real clock: `ContinuousClock`, which keeps counting while the machine sleeps.
struct ContinuousXDSClock: XDSClock {
  init() {}

  var now: ContinuousClock.Instant { .now }

  func sleep(until deadline: ContinuousClock.Instant) async throws {
    try await Task.sleep(until: deadline, clock: .continuous)
  }
}
