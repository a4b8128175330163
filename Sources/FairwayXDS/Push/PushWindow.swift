import FairwayResources

/// The bookkeeping of `PushThrottle`, free of locks and clocks so it can be tested alone:
/// which responses are in flight (written, not yet acknowledged), how many bytes they hold,
/// and who waits, in arrival order.
///
/// Every call that can free room returns the waiters it admitted; the caller resumes them.
struct PushWindow<Waiter> {
  /// One response in flight: the latest of a type on a stream. A newer response of the same
  /// type replaces it, because the proxy only acknowledges the latest nonce.
  struct Key: Hashable, Sendable {
    var stream: UInt64
    var type: XDSResourceType
  }

  private struct Grant {
    var bytes: Int
    var since: ContinuousClock.Instant
  }

  private struct Queued {
    var key: Key
    var bytes: Int
    var waiter: Waiter
  }

  /// Bytes in flight above which a new stream waits.
  let limit: Int
  /// How long a response may stay unacknowledged before its bytes no longer count.
  let lease: Duration
  private(set) var bytesInFlight = 0
  /// Responses admitted after waiting, and leases that ran out: the throttle's metrics.
  private(set) var waited = 0
  private(set) var expired = 0
  private var grants: [Key: Grant] = [:]
  private var typesInFlight: [UInt64: Set<XDSResourceType>] = [:]
  private var queue: [Queued] = []
  private var head = 0

  init(limit: Int, lease: Duration) {
    self.limit = limit
    self.lease = lease
  }

  /// Streams waiting for room.
  var waiting: Int { queue.count - head }

  /// Admits the response at once (true) or queues `waiter` (false) to be returned by a later
  /// call. A stream that already has a response in flight is never held back: the responses
  /// of one push (CDS, then EDS to warm the clusters, LDS, RDS) go out together, and a client
  /// that acknowledges one only after receiving another cannot deadlock.
  mutating func admit(
    _ key: Key, bytes: Int, waiter: Waiter, now: ContinuousClock.Instant
  ) -> Bool {
    if admitIfRoom(key, bytes: bytes, now: now) { return true }
    queue.append(Queued(key: key, bytes: bytes, waiter: waiter))
    return false
  }

  /// `admit` without queuing: true and admitted, or false and nothing changed.
  mutating func admitIfRoom(_ key: Key, bytes: Int, now: ContinuousClock.Instant) -> Bool {
    guard typesInFlight[key.stream] != nil || (waiting == 0 && fits(bytes)) else { return false }
    grant(key, bytes: bytes, now: now)
    return true
  }

  /// The proxy acknowledged (or rejected) the latest response of `key.type`.
  mutating func acknowledge(_ key: Key, now: ContinuousClock.Instant) -> [Waiter] {
    guard remove(key) else { return [] }
    return admitWaiting(now: now)
  }

  /// The stream ended: nothing it was sent is in flight any more.
  mutating func end(stream: UInt64, now: ContinuousClock.Instant) -> [Waiter] {
    guard let types = typesInFlight[stream] else { return [] }
    for type in types { remove(Key(stream: stream, type: type)) }
    return admitWaiting(now: now)
  }

  /// Takes a waiter out of the queue (its task was cancelled); nil when it was admitted already.
  mutating func withdraw(where matches: (Waiter) -> Bool) -> Waiter? {
    guard let index = queue[head...].firstIndex(where: { matches($0.waiter) }) else { return nil }
    return queue.remove(at: index).waiter
  }

  /// Stops counting responses unacknowledged for longer than the lease: a proxy that never
  /// acknowledges (or a lost ACK) must not shrink the window for everyone else for good.
  mutating func expireLeases(now: ContinuousClock.Instant) -> [Waiter] {
    let old = grants.filter { now - $0.value.since >= lease }.keys
    for key in old { remove(key) }
    expired += old.count
    return admitWaiting(now: now)
  }

  private func fits(_ bytes: Int) -> Bool {
    bytesInFlight == 0 || bytesInFlight + bytes <= limit
  }

  private mutating func grant(_ key: Key, bytes: Int, now: ContinuousClock.Instant) {
    if let replaced = grants[key] { bytesInFlight -= replaced.bytes }
    grants[key] = Grant(bytes: bytes, since: now)
    typesInFlight[key.stream, default: []].insert(key.type)
    bytesInFlight += bytes
  }

  @discardableResult
  private mutating func remove(_ key: Key) -> Bool {
    guard let grant = grants.removeValue(forKey: key) else { return false }
    bytesInFlight -= grant.bytes
    typesInFlight[key.stream]?.remove(key.type)
    if typesInFlight[key.stream]?.isEmpty == true { typesInFlight[key.stream] = nil }
    return true
  }

  /// Strictly in arrival order: a large response at the head is not overtaken by small ones.
  private mutating func admitWaiting(now: ContinuousClock.Instant) -> [Waiter] {
    var admitted: [Waiter] = []
    while head < queue.count, fits(queue[head].bytes) {
      let next = queue[head]
      head += 1
      grant(next.key, bytes: next.bytes, now: now)
      admitted.append(next.waiter)
    }
    waited += admitted.count
    if head > 64, head * 2 > queue.count {
      queue.removeFirst(head)
      head = 0
    }
    return admitted
  }
}
