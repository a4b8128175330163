import Synchronization

/// One lock per key for memoized builds: the first thread to ask for a key builds, the others
/// wait and then find the result in the memo instead of building it again.
final class BuildLocks<Key: Hashable & Sendable>: Sendable {
  private final class Lock: Sendable {
    let mutex = Mutex<Void>(())
  }

  private let locks = Mutex<[Key: Lock]>([:])

  /// `body`'s result, run holding `key`'s lock.
  func held<Value>(_ key: Key, _ body: () -> Value) -> Value {
    let lock = locks.withLock { locks in
      if let lock = locks[key] { return lock }
      let lock = Lock()
      locks[key] = lock
      return lock
    }
    return lock.mutex.withLock { _ in body() }
  }
}
