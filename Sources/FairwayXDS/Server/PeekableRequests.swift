import GRPCCore

/// The requests of one stream with the first read ahead, so the handler can decide from it who
/// serves the stream (a proxy session or an MCP collection stream) and then hand the whole
/// sequence, or the rest of it, to that one reader.
///
/// `@unchecked Sendable`: it is used by one task at a time (the handler peeks, then exactly one
/// reader iterates), which is what the iterator inside requires.
final class PeekableRequests<Element: Sendable>: @unchecked Sendable {
  private var iterator: RPCAsyncSequence<Element, any Error>.AsyncIterator
  private var first: Element?
  private var peeked = false
  /// What reading the first request threw, handed once to the reader that takes the stream.
  private var failure: (any Error)?
  private var finished = false

  init(_ requests: RPCAsyncSequence<Element, any Error>) {
    iterator = requests.makeAsyncIterator()
  }

  /// The first request; nil when the stream ended before sending one. When reading it
  /// throws, the error is kept for the reader of `all()`, which meets it where it would have.
  func peek() async throws -> Element? {
    if !peeked {
      peeked = true
      do {
        first = try await iterator.next()
      } catch {
        failure = error
        throw error
      }
    }
    return first
  }

  /// Every request, the peeked one first.
  func all() -> Remaining { Remaining(source: self, pending: first) }

  /// The requests after the peeked one.
  func rest() -> Remaining { Remaining(source: self, pending: nil) }

  fileprivate func next() async throws -> Element? {
    if finished { return nil }
    if let failure {
      // The iterator already threw this; it must not be asked again.
      self.failure = nil
      finished = true
      throw failure
    }
    return try await iterator.next()
  }

  struct Remaining: AsyncSequence, Sendable {
    typealias Failure = any Error
    let source: PeekableRequests
    let pending: Element?

    func makeAsyncIterator() -> Iterator { Iterator(source: source, pending: pending) }

    struct Iterator: AsyncIteratorProtocol {
      let source: PeekableRequests
      var pending: Element?

      mutating func next() async throws -> Element? {
        if let pending {
          self.pending = nil
          return pending
        }
        return try await source.next()
      }
    }
  }
}
