import Synchronization

/// Every connected ADS stream, by connection id.
final class StreamRegistry: Sendable {
  private let streams = Mutex<[UInt64: ProxyStream]>([:])
  private let nextID = Atomic<UInt64>(0)
  private let removed = Atomic<Int>(0)
  /// Advanced when a stream comes, goes or takes a step (see `XDSServer.waitForRevision`).
  let progress = SyncProgress()

  init() {}

  func makeID() -> UInt64 {
    nextID.add(1, ordering: .relaxed).newValue
  }

  func add(_ stream: ProxyStream) {
    streams.withLock { $0[stream.id] = stream }
    progress.advance()
  }

  func remove(_ id: UInt64) {
    _ = streams.withLock { $0.removeValue(forKey: id) }
    removed.add(1, ordering: .relaxed)
    progress.advance()
  }

  /// Streams that have ended since the start.
  var removedCount: Int { removed.load(ordering: .relaxed) }

  /// The connected streams, oldest first.
  var all: [ProxyStream] {
    streams.withLock { Array($0.values) }.sorted { $0.id < $1.id }
  }

  var count: Int { streams.withLock { $0.count } }

  /// Streams whose node id is `proxyID` (a grpc client opens one stream per target).
  func streams(forProxyID proxyID: String) -> [ProxyStream] {
    all.filter { $0.snapshot.node?.id == proxyID }
  }
}
