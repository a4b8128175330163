import FairwayResources
import Synchronization

/// Paces pushes by the bytes in flight: a response counts from the moment its stream writes it
/// until the proxy acknowledges it (ACK or NACK), its stream ends, or its lease runs out. A
/// stream with nothing in flight waits while the total is above the window.
///
/// A change that reaches every proxy (a VirtualService, when one route configuration holds
/// every virtual host of a port) otherwise hands the transport thousands of copies of a
/// response of hundreds of KiB at once, each copied twice into fresh buffers: at 2,000
/// sidecars the server peaked at 474-811 MiB during such pushes, 405-670 MiB with a 64 MiB
/// window and 336-391 MiB with 16 MiB, at the same latency. istiod paces pushes too
/// (`PILOT_PUSH_THROTTLE`, by count); this one counts bytes, so endpoint pushes of a few hundred
/// bytes per proxy never wait.
final class PushThrottle: Sendable {
  private typealias Window = PushWindow<Waiter>

  private struct Waiter: Sendable {
    let id: UInt64
    let continuation: CheckedContinuation<Void, Never>
  }

  private let window: Mutex<Window>
  private let nextWaiter = Atomic<UInt64>(0)
  private let clock: any XDSClock
  /// Nil disables throttling: every response is written at once.
  let limit: Int?

  /// - Parameters:
  ///   - limit: bytes in flight above which new streams wait; nil turns throttling off.
  ///   - lease: how long an unacknowledged response keeps counting.
  ///   - clock: what leases are timed on.
  init(limit: Int?, lease: Duration, clock: any XDSClock = ContinuousXDSClock()) {
    self.limit = limit
    self.clock = clock
    window = Mutex(Window(limit: limit ?? .max, lease: lease))
  }

  /// Responses that had to wait for room, and leases that ran out, since start.
  var counts: (waited: Int, expired: Int) {
    window.withLock { ($0.waited, $0.expired) }
  }

  /// Streams waiting for room now.
  var queued: Int { window.withLock { $0.waiting } }

  /// Returns once the response may be written; at once when throttling is off, when the
  /// window has room, or when the stream already has a response in flight.
  func admit(stream: UInt64, type: XDSResourceType, bytes: Int) async {
    guard limit != nil else { return }
    let key = Window.Key(stream: stream, type: type)
    // Almost every response finds room: no continuation, so the stream's task is not
    // suspended and rescheduled once per response for nothing.
    guard !window.withLock({ $0.admitIfRoom(key, bytes: bytes, now: clock.now) }) else { return }
    let id = nextWaiter.wrappingAdd(1, ordering: .relaxed).newValue
    await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        let admitted = window.withLock {
          $0.admit(
            key, bytes: bytes, waiter: Waiter(id: id, continuation: continuation),
            now: clock.now)
        }
        if admitted { continuation.resume() }
      }
    } onCancel: {
      // Cancelled before it was queued, the waiter is found by nothing here and waits its
      // turn like any other; at worst until a lease runs out.
      window.withLock { $0.withdraw { $0.id == id } }?.continuation.resume()
    }
  }

  /// The proxy answered the latest response of `type` on `stream`.
  func acknowledge(stream: UInt64, type: XDSResourceType) {
    guard limit != nil else { return }
    let key = Window.Key(stream: stream, type: type)
    resume(window.withLock { $0.acknowledge(key, now: clock.now) })
  }

  /// The stream ended.
  func end(stream: UInt64) {
    guard limit != nil else { return }
    resume(window.withLock { $0.end(stream: stream, now: clock.now) })
  }

  /// Expires leases a few times per lease, for as long as the server runs.
  func run() async {
    guard limit != nil else { return }
    let tick = max(window.withLock { $0.lease } / 4, .milliseconds(10))
    while true {
      do { try await clock.sleep(for: tick) } catch { return }
      resume(window.withLock { $0.expireLeases(now: clock.now) })
    }
  }

  private func resume(_ waiters: [Waiter]) {
    for waiter in waiters { waiter.continuation.resume() }
  }
}
