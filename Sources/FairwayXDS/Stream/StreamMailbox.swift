import GRPCCore
import Synchronization

/// The inbox of one ADS stream: the client's requests in order, and at most one pending push.
///
/// Pushes are a latest-state mailbox, not a queue: while the stream is busy (say, its client
/// reads slowly and `write` is suspended by HTTP/2 flow control), later pushes merge into the
/// one pending scope, so a stalled proxy costs bounded memory and never delays other streams.
///
/// One lock and one waiting continuation, not an `AsyncStream`: every push wakes every stream
/// and every ACK passes through here, and the standard library's stream (generic, so its
/// metadata is looked up at run time on each call) was 7% of the server's CPU in a push to
/// 2,000 streams.
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
    /// Events not yet handed to the stream, oldest first (a handful: the reader waits at
    /// `requestLimit`, and pushes take one entry).
    var events: [Event] = []
    var pending: PushScope?
    /// Requests delivered and not yet `taken()`.
    var queued = 0
    /// The stream's task, waiting for an event.
    var consumer: UnsafeContinuation<Event?, Never>?
    /// The reader, waiting for room.
    var reader: CheckedContinuation<Void, Never>?
    var closed = false

    /// Hands `event` to the waiting consumer (returned, to resume outside the lock), or queues
    /// it. Nothing is taken once closed, as a finished `AsyncStream` would drop it.
    mutating func hand(_ event: Event)
      -> UnsafeContinuation<Event?, Never>?
    {
      guard !closed else { return nil }
      if let consumer {
        self.consumer = nil
        return consumer
      }
      events.append(event)
      return nil
    }

    /// The oldest queued event.
    mutating func take() -> Event? {
      events.isEmpty ? nil : events.removeFirst()
    }
  }

  private let inbox = Mutex(Inbox())

  init() {}

  /// The events in order until the mailbox is closed and drained; one consumer at a time.
  var events: Events { Events(mailbox: self) }

  func deliver(_ request: Request) {
    let consumer = inbox.withLock { inbox -> UnsafeContinuation<Event?, Never>? in
      inbox.queued += 1
      return inbox.hand(.request(request))
    }
    consumer?.resume(returning: .request(request))
  }

  /// Returns once fewer than `requestLimit` requests wait, or the mailbox is closed, or the
  /// task is cancelled.
  func waitForRoom() async {
    await withTaskCancellationHandler {
      await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
        let now = inbox.withLock { inbox -> Bool in
          if inbox.closed || inbox.queued < Self.requestLimit || Task.isCancelled { return true }
          inbox.reader = waiter
          return false
        }
        if now { waiter.resume() }
      }
    } onCancel: {
      releaseWaiters(closing: false)
    }
  }

  /// The stream took a request out of `events`.
  func taken() {
    let waiter = inbox.withLock { inbox -> CheckedContinuation<Void, Never>? in
      inbox.queued -= 1
      guard inbox.queued < Self.requestLimit else { return nil }
      defer { inbox.reader = nil }
      return inbox.reader
    }
    waiter?.resume()
  }

  /// Wakes the reader waiting for room; `closing` also closes the mailbox and ends a stream
  /// waiting for an event.
  private func releaseWaiters(closing: Bool) {
    let (reader, consumer) = inbox.withLock {
      inbox -> (CheckedContinuation<Void, Never>?, UnsafeContinuation<Event?, Never>?) in
      let reader = inbox.reader
      inbox.reader = nil
      guard closing else { return (reader, nil) }
      inbox.closed = true
      // A consumer waits only on an empty inbox: closed and drained, it ends.
      defer { inbox.consumer = nil }
      return (reader, inbox.consumer)
    }
    reader?.resume()
    consumer?.resume(returning: nil)
  }

  /// Merges `scope` into the pending push; wakes the stream only if nothing was pending.
  func post(_ scope: PushScope) {
    let consumer = inbox.withLock { inbox -> UnsafeContinuation<Event?, Never>? in
      if let current = inbox.pending {
        inbox.pending = current.merged(with: scope)
        return nil
      }
      inbox.pending = scope
      return inbox.hand(.push)
    }
    consumer?.resume(returning: .push)
  }

  func takePush() -> PushScope? {
    inbox.withLock { inbox in
      defer { inbox.pending = nil }
      return inbox.pending
    }
  }

  func fail(_ error: RPCError) {
    let consumer = inbox.withLock { inbox in inbox.hand(.failed(error)) }
    consumer?.resume(returning: .failed(error))
    releaseWaiters(closing: true)
  }

  func close() {
    releaseWaiters(closing: true)
  }

  /// The next event, waiting for one; nil once closed and drained, or when the task is
  /// cancelled.
  fileprivate func next() async -> Event? {
    if let ready = inbox.withLock({ $0.take() }) { return ready }
    return await withTaskCancellationHandler {
      await withUnsafeContinuation { (consumer: UnsafeContinuation<Event?, Never>) in
        let now = inbox.withLock { inbox -> Event?? in
          if let ready = inbox.take() { return .some(ready) }
          if inbox.closed || Task.isCancelled { return .some(nil) }
          inbox.consumer = consumer
          return nil
        }
        if let now { consumer.resume(returning: now) }
      }
    } onCancel: {
      let consumer = inbox.withLock { inbox in
        defer { inbox.consumer = nil }
        return inbox.consumer
      }
      consumer?.resume(returning: nil)
    }
  }

  /// `StreamMailbox.events`.
  struct Events: AsyncSequence, Sendable {
    let mailbox: StreamMailbox

    struct AsyncIterator: AsyncIteratorProtocol {
      let mailbox: StreamMailbox

      mutating func next() async -> Event? {
        await mailbox.next()
      }
    }

    func makeAsyncIterator() -> AsyncIterator {
      AsyncIterator(mailbox: mailbox)
    }
  }
}
