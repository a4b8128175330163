import Synchronization

/// A wake-up for whoever waits on the streams' progress (`XDSServer.waitForRevision`):
/// streams advance it after every step, the registry when streams come and go, the coordinator
/// after each push. A generation counter, so a waiter that checked at generation G and then
/// waits misses nothing that advanced it meanwhile.
public final class SyncProgress: Sendable {
  private let generation = Atomic<UInt64>(0)
  /// Waiters registered; `advance` takes the lock only when there are some (it runs on every
  /// stream step).
  private let interested = Atomic<Int>(0)
  private let waiters = Mutex<[UInt64: CheckedContinuation<Void, Never>]>([:])
  private let nextWaiter = Atomic<UInt64>(0)

  init() {}

  var current: UInt64 { generation.load(ordering: .sequentiallyConsistent) }

  func advance() {
    generation.add(1, ordering: .sequentiallyConsistent)
    guard interested.load(ordering: .sequentiallyConsistent) > 0 else { return }
    let woken = waiters.withLock { waiters in
      defer { waiters.removeAll() }
      return Array(waiters.values)
    }
    for waiter in woken { waiter.resume() }
  }

  /// Runs `body` registered as interested, so `advance` never skips the wake-up it needs.
  func watching<T>(_ body: () async throws -> T) async rethrows -> T {
    interested.add(1, ordering: .sequentiallyConsistent)
    defer { interested.subtract(1, ordering: .sequentiallyConsistent) }
    return try await body()
  }

  /// Returns once the generation moved past `seen`, at `deadline`, or when cancelled. Call it
  /// inside `watching`.
  func wait(after seen: UInt64, until deadline: ContinuousClock.Instant) async {
    await withTaskGroup(of: Void.self) { group in
      group.addTask { await self.next(after: seen) }
      group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
      await group.next()
      group.cancelAll()
    }
  }

  private func next(after seen: UInt64) async {
    let id = nextWaiter.add(1, ordering: .relaxed).newValue
    await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let now = waiters.withLock { waiters -> Bool in
          if Task.isCancelled || current != seen { return true }
          waiters[id] = continuation
          return false
        }
        if now { continuation.resume() }
      }
    } onCancel: {
      waiters.withLock { $0.removeValue(forKey: id) }?.resume()
    }
  }
}
