import NIOPosix

/// The threads that parse and validate request bodies: neither the event loops (which
/// serve ADS and `/healthz`) nor Swift's cooperative pool (which runs every async task),
/// so a costly body delays only other applies, never probes or pushes.
enum ParseWorkers {
  /// Two threads: one hostile body cannot hold up every apply, and on a small machine the
  /// pool never takes every core from the event loops. Started once, for the process.
  static let pool: NIOThreadPool = {
    let pool = NIOThreadPool(numberOfThreads: 2)
    pool.start()
    return pool
  }()

  /// Runs `work` on the pool and returns its result.
  static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await pool.runIfActive(work)
  }
}
