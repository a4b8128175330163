import GRPCCore
import Synchronization

/// The inbox of one ADS stream: the client's requests in order, and at most one pending push.
///
/// Pushes are a latest-state mailbox, not a queue: while the stream is busy (say, its client
/// reads slowly and `write` is suspended by HTTP/2 flow control), later pushes merge into the
/// one pending scope, so a stalled proxy costs bounded memory and never delays other streams.
final class StreamMailbox<Request: Sendable>: Sendable {
  enum Event: Sendable {
    case request(Request)
    case push
    /// The client sent something the stream must refuse; it ends with this status.
    case failed(RPCError)
  }

  /// Requests delivered and not yet taken, above which the reader waits (`waitForRoom`):
  /// a client that sends while its stream is busy (its responses unread, say) is held back by
  /// HTTP/2 flow control instead of queueing requests of up to --max-request-bytes each here.
  static var requestLimit: Int { 8 }

  private struct Inbox {
    var queued = 0
    var waiter: CheckedContinuation<Void, Never>?
    var closed = false
  }

  let events: AsyncStream<Event>
  private let continuation: AsyncStream<Event>.Continuation
  private let pending = Mutex<PushScope?>(nil)
  private let inbox = Mutex(Inbox())

  init() {
    (events, continuation) = AsyncStream.makeStream(of: Event.self)
  }

  func deliver(_ request: Request) {
    inbox.withLock { $0.queued += 1 }
    continuation.yield(.request(request))
  }

  /// Returns once fewer than `requestLimit` requests wait, or the mailbox is closed, or the
  /// task is cancelled.
  func waitForRoom() async {
    await withTaskCancellationHandler {
      await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
        let now = inbox.withLock { inbox -> Bool in
          if inbox.closed || inbox.queued < Self.requestLimit || Task.isCancelled { return true }
          inbox.waiter = waiter
          return false
        }
        if now { waiter.resume() }
      }
    } onCancel: {
      releaseWaiter(closing: false)
    }
  }

  /// The stream took a request out of `events`.
  func taken() {
    let waiter = inbox.withLock { inbox -> CheckedContinuation<Void, Never>? in
      inbox.queued -= 1
      guard inbox.queued < Self.requestLimit else { return nil }
      defer { inbox.waiter = nil }
      return inbox.waiter
    }
    waiter?.resume()
  }

  private func releaseWaiter(closing: Bool) {
    let waiter = inbox.withLock { inbox -> CheckedContinuation<Void, Never>? in
      if closing { inbox.closed = true }
      defer { inbox.waiter = nil }
      return inbox.waiter
    }
    waiter?.resume()
  }

  /// Merges `scope` into the pending push; wakes the stream only if nothing was pending.
  func post(_ scope: PushScope) {
    let wake = pending.withLock { pending -> Bool in
      if let current = pending {
        pending = current.merged(with: scope)
        return false
      }
      pending = scope
      return true
    }
    if wake { continuation.yield(.push) }
  }

  func takePush() -> PushScope? {
    pending.withLock { pending in
      defer { pending = nil }
      return pending
    }
  }

  func fail(_ error: RPCError) {
    continuation.yield(.failed(error))
    continuation.finish()
    releaseWaiter(closing: true)
  }

  func close() {
    continuation.finish()
    releaseWaiter(closing: true)
  }
}
