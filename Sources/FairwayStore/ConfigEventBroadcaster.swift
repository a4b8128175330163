import FairwayMesh
import Synchronization

/// Fans store changes out to any number of `ConfigEventStream`s. Reusable by other
/// `ConfigStore` implementations.
///
/// Subscribers are held weakly: a stream nobody references any more stops receiving
/// events and is forgotten.
final class ConfigEventBroadcaster: Sendable {
  private final class WeakBuffer: Sendable {
    weak let buffer: EventBuffer?
    init(_ buffer: EventBuffer) { self.buffer = buffer }
  }

  private let subscribers = Mutex<[ObjectIdentifier: WeakBuffer]>([:])

  init() {}

  /// A new subscription to events published from now on.
  func subscribe() -> ConfigEventStream {
    let buffer = EventBuffer()
    subscribers.withLock { $0[ObjectIdentifier(buffer)] = WeakBuffer(buffer) }
    return ConfigEventStream(buffer: buffer)
  }

  /// Delivers `events`, in order, to every live subscriber. Never blocks on subscribers.
  func publish(_ events: [ConfigEvent]) {
    guard !events.isEmpty else { return }
    let live: [EventBuffer] = subscribers.withLock { subscribers in
      var live: [EventBuffer] = []
      for (id, weak) in subscribers {
        if let buffer = weak.buffer { live.append(buffer) } else { subscribers[id] = nil }
      }
      return live
    }
    for buffer in live {
      for event in events { buffer.append(event) }
    }
  }

  /// Ends every subscription (their sequences return `nil`).
  func finishAll() {
    let live = subscribers.withLock { subscribers in
      defer { subscribers.removeAll() }
      return subscribers.values.compactMap(\.buffer)
    }
    for buffer in live { buffer.finish() }
  }

  /// Number of live subscribers.
  var subscriberCount: Int {
    subscribers.withLock { $0.values.filter { $0.buffer != nil }.count }
  }
}
