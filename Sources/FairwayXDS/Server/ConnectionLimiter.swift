import NIOCore
import Synchronization

/// Caps concurrent ADS connections below the process's descriptor limit.
///
/// At the cap, a new connection first displaces the oldest one that has never opened a stream
/// (an idle or half-open socket, or a flood of them), which is closed; only when every open
/// connection carries streams is the new one closed as soon as it is accepted, before any
/// HTTP/2 or gRPC work is spent on it. A proxy opens its stream within milliseconds of
/// connecting, so a flood of idle connections cannot lock real proxies out: it only displaces
/// itself. A connection that has opened no stream `idleTimeout` after it was accepted (one that
/// sends nothing, or only a partial preface) is closed; the transport's own idle timer handles
/// connections whose streams have all ended.
final class ConnectionLimiter: Sendable {
  private struct State {
    var open = 0
    var nextSequence: UInt64 = 0
    /// Connections without a stream yet, by identity: their sequence number and channel.
    var unproven: [ObjectIdentifier: (sequence: UInt64, channel: any Channel)] = [:]
    /// Arrival order of `unproven` (entries no longer there are skipped when met).
    var order: [(sequence: UInt64, id: ObjectIdentifier)] = []
    var orderStart = 0

    /// Removes and returns the oldest connection without a stream.
    mutating func popOldestUnproven() -> (any Channel)? {
      defer { compact() }
      while orderStart < order.count {
        let (sequence, id) = order[orderStart]
        orderStart += 1
        if let entry = unproven[id], entry.sequence == sequence {
          unproven.removeValue(forKey: id)
          return entry.channel
        }
      }
      return nil
    }

    /// Drops consumed or stale order entries once they are most of the array.
    mutating func compact() {
      guard orderStart > 1_024, orderStart * 2 > order.count else { return }
      order.removeFirst(orderStart)
      orderStart = 0
      if order.count > 4 * unproven.count + 1_024 {
        order.removeAll { unproven[$0.id]?.sequence != $0.sequence }
      }
    }
  }

  private let state = Mutex(State())
  let limit: Int
  let idleTimeout: TimeAmount?

  init(limit: Int, idleTimeout: Duration? = nil) {
    self.limit = limit
    self.idleTimeout = idleTimeout.map { .nanoseconds(Int64(clamping: $0.nanoseconds)) }
  }

  private func isUnproven(_ channel: any Channel) -> Bool {
    state.withLock { $0.unproven[ObjectIdentifier(channel)]?.channel === channel }
  }

  var count: Int { state.withLock { $0.open } }

  /// For the transport's accept callback.
  func admit(_ channel: any Channel) -> EventLoopFuture<Void> {
    let id = ObjectIdentifier(channel)
    let (admitted, displaced) = state.withLock { state -> (Bool, (any Channel)?) in
      var displaced: (any Channel)?
      if state.open >= limit {
        displaced = state.popOldestUnproven()
        guard displaced != nil else { return (false, nil) }
      }
      state.open += 1
      state.nextSequence += 1
      state.unproven[id] = (state.nextSequence, channel)
      state.order.append((state.nextSequence, id))
      return (true, displaced)
    }
    // Counted until its close completes, so the descriptors in use never pass the limit by
    // more than the closes in flight.
    displaced?.close(promise: nil)
    guard admitted else { return channel.close() }
    if let idleTimeout {
      let timer = channel.eventLoop.scheduleTask(in: idleTimeout) {
        if self.isUnproven(channel) { channel.close(promise: nil) }
      }
      channel.closeFuture.whenComplete { _ in timer.cancel() }
    }
    channel.closeFuture.whenComplete { _ in
      self.state.withLock { state in
        state.open -= 1
        if state.unproven[id]?.channel === channel { state.unproven.removeValue(forKey: id) }
      }
    }
    return channel.eventLoop.makeSucceededVoidFuture()
  }

  /// A stream opened on `connection`: it is in use, and no longer displaced by new ones.
  func opened(streamOn connection: any Channel) {
    let id = ObjectIdentifier(connection)
    state.withLock { state in
      if state.unproven[id]?.channel === connection { state.unproven.removeValue(forKey: id) }
    }
  }
}

extension Duration {
  /// Whole nanoseconds, saturating.
  var nanoseconds: Int {
    let (seconds, attoseconds) = components
    let (whole, overflow) = Int(seconds).multipliedReportingOverflow(by: 1_000_000_000)
    return overflow
      ? .max : whole.addingReportingOverflow(Int(attoseconds / 1_000_000_000)).partialValue
  }
}
