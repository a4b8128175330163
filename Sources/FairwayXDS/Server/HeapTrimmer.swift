import CFairwayAllocator
import Logging

/// Hands freed heap back to the OS once a burst of responses is over.
///
/// A push to thousands of streams allocates per-stream transport buffers (the route
/// configuration of a port is hundreds of KiB, copied once per stream by the gRPC transport),
/// and glibc keeps what they free in its arenas. At 2,000 sidecars that was 540 MiB of resident
/// memory holding nothing, against 218 MiB in use. `malloc_trim` returns the free pages; it runs
/// once per burst, after `quiet` without a new response or a stream ending, so it never
/// competes with a push; streams that come and go (reconnect storms) leave the same holes.
struct HeapTrimmer: Sendable {
  /// Decides when to trim from a count of responses sent so far, sampled every `quiet`.
  struct Schedule: Sendable, Equatable {
    private var lastSeen: Int
    private var burstOpen = false

    init(responsesSent: Int) {
      lastSeen = responsesSent
    }

    /// True once per burst: at the first sample after responses stopped going out.
    mutating func sample(responsesSent: Int) -> Bool {
      if responsesSent != lastSeen {
        lastSeen = responsesSent
        burstOpen = true
        return false
      }
      defer { burstOpen = false }
      return burstOpen
    }
  }

  let quiet: Duration
  /// A count that moves with every response sent and every stream ended.
  let activity: @Sendable () -> Int
  let logger: Logger
  /// What the quiet period is timed on.
  var clock: any XDSClock = ContinuousXDSClock()

  func run() async {
    var schedule = Schedule(responsesSent: activity())
    while true {
      do { try await clock.sleep(for: quiet) } catch { return }
      guard schedule.sample(responsesSent: activity()) else { continue }
      let started = ContinuousClock.now
      Self.releaseFreeHeap()
      logger.debug(
        "returned free heap to the OS",
        metadata: ["seconds": "\((ContinuousClock.now - started).seconds)"])
    }
  }

  /// Returns the allocator's free pages to the OS (glibc's `malloc_trim`; nothing elsewhere).
  static func releaseFreeHeap() {
    _ = fairway_heap_trim()
  }

  /// Sets glibc's allocator up so that freed memory can go back at all, once per process.
  ///
  /// - A fixed mmap threshold (`mmapThreshold`): by default glibc raises it to the largest
  ///   block freed (up to 32 MiB) and then never trims above it on its own; fixed, the
  ///   burst's buffers come from the heap and `malloc_trim` returns them after the burst.
  /// - At most `arenas` arenas: each thread that allocates may otherwise get its own (8 per
  ///   core), each holding its own free memory.
  /// Returns whether glibc took the settings (false elsewhere).
  @discardableResult
  static func configureAllocator(arenas: Int32 = 4) -> Bool {
    fairway_heap_configure(Self.mmapThreshold, 1024 * 1024, arenas)
  }

  /// Blocks at least this large are mmapped. Above the largest per-stream response buffer (a
  /// route configuration of 10,000 hosts is 4 MiB, copied twice per stream by the transport):
  /// at 256 KiB every such copy was a fresh mapping whose pages the kernel zeroed and faulted
  /// in, a quarter of the server's CPU during a push to 2,000 sidecars. Reused heap is given
  /// back by `malloc_trim` after the burst instead.
  static let mmapThreshold: Int32 = 8 * 1024 * 1024
}
