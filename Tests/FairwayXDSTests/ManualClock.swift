import Synchronization

@testable import FairwayXDS

/// A clock that moves only when `advance` is called, for tests: every sleeper whose deadline
/// the new time reaches resumes, in deadline order. Starts at the real clock's `now`, so scopes
/// stamped with the default `.now` are not in its far past or future.
final class ManualClock: XDSClock {
  private struct Sleeper {
    let id: UInt64
    let deadline: ContinuousClock.Instant
    let continuation: CheckedContinuation<Void, any Error>
  }

  private struct State {
    var now: ContinuousClock.Instant
    var sleepers: [Sleeper] = []
    var nextID: UInt64 = 0
  }

  private let state: Mutex<State>

  init(now: ContinuousClock.Instant = .now) {
    state = Mutex(State(now: now))
  }

  var now: ContinuousClock.Instant { state.withLock { $0.now } }

  /// Tasks suspended in `sleep` now: a test waits for the code under test to reach its sleep
  /// before it moves the time.
  var sleeperCount: Int { state.withLock { $0.sleepers.count } }

  /// The earliest deadline anyone sleeps until.
  var nextDeadline: ContinuousClock.Instant? {
    state.withLock { $0.sleepers.map(\.deadline).min() }
  }

  /// Moves the time forward and resumes the sleepers it reaches.
  func advance(by duration: Duration) {
    precondition(duration >= .zero, "a clock does not go back")
    let due = state.withLock { state -> [Sleeper] in
      state.now += duration
      let now = state.now
      let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
      state.sleepers.removeAll { $0.deadline <= now }
      return due
    }
    for sleeper in due { sleeper.continuation.resume() }
  }

  func sleep(until deadline: ContinuousClock.Instant) async throws {
    let id = state.withLock { state -> UInt64 in
      state.nextID += 1
      return state.nextID
    }
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation {
        (continuation: CheckedContinuation<Void, any Error>) in
        enum Outcome { case due, cancelled, asleep }
        let outcome = state.withLock { state -> Outcome in
          if state.now >= deadline { return .due }
          // Cancelled before the sleeper was listed: the handler found nothing to resume.
          if Task.isCancelled { return .cancelled }
          state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
          return .asleep
        }
        switch outcome {
        case .due: continuation.resume()
        case .cancelled: continuation.resume(throwing: CancellationError())
        case .asleep: break
        }
      }
    } onCancel: {
      let sleeper = state.withLock { state -> Sleeper? in
        guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
        return state.sleepers.remove(at: index)
      }
      sleeper?.continuation.resume(throwing: CancellationError())
    }
  }
}
