import Synchronization

/// A lock for one memoized build: the first thread to take it builds, the others wait and then
/// find the result in the memo instead of building it again.
final class BuildLock: Sendable {
  private let mutex = Mutex<Void>(())

  func held<Value>(_ body: () -> Value) -> Value {
    mutex.withLock { _ in body() }
  }
}
