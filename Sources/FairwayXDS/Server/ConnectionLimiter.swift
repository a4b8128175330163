import NIOCore
import Synchronization

/// Caps concurrent ADS connections: one over the limit is closed as soon as it is accepted,
/// before any HTTP/2 or gRPC work is spent on it.
final class ConnectionLimiter: Sendable {
  private let open = Atomic<Int>(0)
  let limit: Int

  init(limit: Int) {
    self.limit = limit
  }

  var count: Int { open.load(ordering: .relaxed) }

  /// For the transport's accept callback.
  func admit(_ channel: any Channel) -> EventLoopFuture<Void> {
    let now = open.add(1, ordering: .relaxed).newValue
    guard now <= limit else {
      open.subtract(1, ordering: .relaxed)
      return channel.close()
    }
    channel.closeFuture.whenComplete { _ in self.open.subtract(1, ordering: .relaxed) }
    return channel.eventLoop.makeSucceededVoidFuture()
  }
}
