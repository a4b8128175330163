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

  let events: AsyncStream<Event>
  private let continuation: AsyncStream<Event>.Continuation
  private let pending = Mutex<PushScope?>(nil)

  init() {
    (events, continuation) = AsyncStream.makeStream(of: Event.self)
  }

  func deliver(_ request: Request) {
    continuation.yield(.request(request))
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
  }

  func close() {
    continuation.finish()
  }
}
