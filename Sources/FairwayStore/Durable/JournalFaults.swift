import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Failures to inject into a `FileConfigJournal`'s disk calls, for tests: the Nth append write,
/// fsync or truncate (counted from 1 over the journal's life) fails with `errno`. A failed
/// append write first writes half its bytes, as a full disk does.
final class JournalFaults: Sendable {
  enum Operation: Sendable {
    case write
    case fsync
    case truncate
  }

  private struct State {
    var counts: [Operation: Int] = [:]
    var failing: [Operation: [Int: Int32]] = [:]
  }

  private let state = Mutex(State())

  init() {}

  /// Makes the `nth` call of `operation` from now on fail (1 is the next call).
  func fail(_ operation: Operation, nth: Int = 1, errno code: Int32 = ENOSPC) {
    state.withLock { state in
      let upcoming = state.counts[operation, default: 0] + nth
      state.failing[operation, default: [:]][upcoming] = code
    }
  }

  /// Counts a call of `operation`; the errno to fail it with, if it should fail.
  func check(_ operation: Operation) -> Int32? {
    state.withLock { state in
      state.counts[operation, default: 0] += 1
      return state.failing[operation]?.removeValue(forKey: state.counts[operation, default: 0])
    }
  }
}
