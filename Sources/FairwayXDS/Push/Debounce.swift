/// When to push, as a value: istiod's `debounce` loop without its channels and timers.
/// Changes merge into one pending batch, which is pushed once `quiet` has passed since the last
/// change or `maxDelay` since the first, whichever comes first; a batch of endpoint changes
/// only is pushed at once when `endpointsSkip` is set. One push is in flight at a time: changes
/// arriving meanwhile wait for `finished`, then go out as the next batch.
///
/// The caller feeds it changes (`receive`) and the time (`tick`, `finished`) and carries out
/// the action returned; it never reads a clock itself, so every rule is a test of values.
struct Debounce: Sendable, Equatable {
  struct Settings: Sendable, Equatable {
    var quiet: Duration
    var maxDelay: Duration
    var endpointsSkip: Bool

    init(quiet: Duration, maxDelay: Duration, endpointsSkip: Bool) {
      self.quiet = quiet
      self.maxDelay = maxDelay
      self.endpointsSkip = endpointsSkip
    }

    init(_ config: XDSServerConfig) {
      self.init(
        quiet: config.debounceQuiet, maxDelay: config.debounceMax,
        endpointsSkip: config.endpointsSkipDebounce)
    }
  }

  enum Action: Sendable, Equatable {
    /// Nothing to push, or a push is in flight: wait for a change (or for `finished`).
    case idle
    /// Call `tick` again at this instant, or sooner when a change arrives.
    case wait(until: ContinuousClock.Instant)
    /// Push this batch, then call `finished`.
    case push(PushScope)
  }

  let settings: Settings
  /// The merged changes not pushed yet, stamped with when the first and last arrived.
  private(set) var pending: PushScope?
  /// How many changes `pending` merges.
  private(set) var pendingChanges = 0
  private(set) var pushing = false

  init(_ settings: Settings) {
    self.settings = settings
  }

  /// A change arrived at `now`. It only joins the pending batch: `tick` decides when it goes.
  mutating func receive(_ change: PushScope, at now: ContinuousClock.Instant) {
    // The debounce runs on its caller's clock, whatever the scope was stamped with.
    var change = change
    change.firstChange = now
    change.lastChange = now
    if var batch = pending {
      batch.merge(change)
      pending = batch
    } else {
      pending = change
    }
    pendingChanges += 1
  }

  /// What to do at `now`: push the pending batch when it is due, else wait until it is.
  mutating func tick(at now: ContinuousClock.Instant) -> Action {
    guard !pushing, let batch = pending else { return .idle }
    let due = dueTime(of: batch)
    guard now >= due else { return .wait(until: due) }
    pending = nil
    pendingChanges = 0
    pushing = true
    return .push(batch)
  }

  /// The push handed out by `tick` is done; what came in meanwhile may be due already.
  mutating func finished(at now: ContinuousClock.Instant) -> Action {
    pushing = false
    return tick(at: now)
  }

  /// When `batch` is to be pushed. Never earlier than a due time computed before it took in
  /// more changes: a merged change moves the quiet deadline later and the first change stays,
  /// and a batch that was not endpoints-only never becomes so.
  func dueTime(of batch: PushScope) -> ContinuousClock.Instant {
    if settings.endpointsSkip, batch.isEndpointOnly { return batch.firstChange }
    return min(batch.lastChange + settings.quiet, batch.firstChange + settings.maxDelay)
  }
}
