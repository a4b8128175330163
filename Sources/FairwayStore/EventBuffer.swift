import FairwayMesh
import Synchronization

/// One subscriber's pending events. Appends never block and never drop: when the
/// subscriber is behind, a new event for a key already pending replaces it (keeping the
/// oldest `old`), so memory is bounded by the number of distinct keys, not by the
/// number of changes.
final class EventBuffer: Sendable {
  private struct State {
    /// Latest merged event per key.
    var pending: [ConfigKey: ConfigEvent] = [:]
    /// Delivery order: (key, revision). Entries whose revision no longer matches
    /// `pending` are stale and skipped, which moves a re-changed key to the back and keeps
    /// revisions increasing in delivery order.
    var order: [(ConfigKey, Int64)] = []
    var head = 0
    var waiter: CheckedContinuation<ConfigEvent?, Never>?
    var finished = false
  }

  private let state = Mutex(State())

  func append(_ event: ConfigEvent) {
    let waiter: CheckedContinuation<ConfigEvent?, Never>? = state.withLock { state in
      if state.finished { return nil }
      if let waiter = state.waiter {
        state.waiter = nil
        return waiter
      }
      var merged = event
      if let previous = state.pending[event.key] { merged.old = previous.old }
      state.pending[event.key] = merged
      state.order.append((event.key, event.revision))
      // Compact when stale entries dominate, so a hot key cannot grow `order` unbounded.
      if state.order.count > 64 && state.order.count > 2 * (state.pending.count + 16) {
        state.order = state.order[state.head...].filter { state.pending[$0.0]?.revision == $0.1 }
        state.head = 0
      }
      return nil
    }
    waiter?.resume(returning: event)
  }

  func finish() {
    let waiter = state.withLock { state -> CheckedContinuation<ConfigEvent?, Never>? in
      state.finished = true
      defer { state.waiter = nil }
      return state.waiter
    }
    waiter?.resume(returning: nil)
  }

  /// Number of events waiting (after coalescing).
  var pendingCount: Int { state.withLock { $0.pending.count } }

  func next() async -> ConfigEvent? {
    await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<ConfigEvent?, Never>) in
        let immediate: ConfigEvent?? = state.withLock { state in
          if let event = Self.pop(&state) { return .some(event) }
          if state.finished || Task.isCancelled { return .some(nil) }
          state.waiter = continuation
          return .none
        }
        if let immediate { continuation.resume(returning: immediate) }
      }
    } onCancel: {
      finish()
    }
  }

  private static func pop(_ state: inout State) -> ConfigEvent? {
    while state.head < state.order.count {
      let (key, revision) = state.order[state.head]
      state.head += 1
      if let event = state.pending[key], event.revision == revision {
        state.pending[key] = nil
        if state.head == state.order.count {
          state.order.removeAll(keepingCapacity: true)
          state.head = 0
        }
        return event
      }
    }
    state.order.removeAll(keepingCapacity: true)
    state.head = 0
    return nil
  }
}
