import FairwayMesh

/// An `AsyncSequence` of `ConfigEvent`s for one subscriber.
///
/// Delivery never blocks the store: events wait in a per-subscriber buffer. If the
/// subscriber is slower than the changes, events for the same key are coalesced (first
/// `old`, latest `new`, latest `revision`) instead of being dropped, and the merged
/// event moves to the back of the queue, so revisions arrive in increasing order and
/// the buffer holds at most one event per key. The sequence ends when the consuming
/// task is cancelled or the store finishes it; dropping the stream unsubscribes.
public struct ConfigEventStream: AsyncSequence, Sendable {
  public typealias Element = ConfigEvent
  public typealias Failure = Never

  let buffer: EventBuffer

  init(buffer: EventBuffer) { self.buffer = buffer }

  public func makeAsyncIterator() -> Iterator { Iterator(buffer: buffer) }

  /// Events currently waiting, after coalescing.
  package var pendingCount: Int { buffer.pendingCount }

  /// Iterates the subscriber's buffer.
  public struct Iterator: AsyncIteratorProtocol {
    let buffer: EventBuffer

    public mutating func next() async -> ConfigEvent? { await buffer.next() }

    public mutating func next(isolation actor: isolated (any Actor)?) async -> ConfigEvent? {
      await buffer.next()
    }
  }
}
