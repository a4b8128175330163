import Synchronization

/// Limits how fast new ADS streams are admitted, so a reconnect storm cannot starve pushes.
final class TokenBucket: Sendable {
  private struct State {
    var tokens: Double
    var updated: ContinuousClock.Instant
  }

  private let rate: Double
  private let burst: Double
  private let state: Mutex<State>

  init(ratePerSecond: Double, burst: Double) {
    self.rate = ratePerSecond
    self.burst = max(burst, 1)
    self.state = Mutex(State(tokens: max(burst, 1), updated: .now))
  }

  /// Takes one token if there is one.
  func tryTake(now: ContinuousClock.Instant = .now) -> Bool {
    state.withLock { state in
      let elapsed = max((now - state.updated).seconds, 0)
      state.tokens = min(burst, state.tokens + elapsed * rate)
      state.updated = now
      guard state.tokens >= 1 else { return false }
      state.tokens -= 1
      return true
    }
  }
}
