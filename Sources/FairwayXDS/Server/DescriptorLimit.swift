#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The process's open-file limit, and the ADS connection cap derived from it.
///
/// Every ADS connection is a descriptor; so are admin connections, the journal, the listening
/// sockets and the event loops' own. With the connection cap at the descriptor limit, a flood
/// of idle ADS connections exhausted descriptors before the cap ever acted, and the admin port
/// and new streams failed with it.
package enum DescriptorLimit {
  /// The soft limit before and after raising it, and the hard limit.
  package struct Raise: Sendable, Equatable {
    package var before: Int
    package var after: Int
    package var hard: Int
  }

  /// Raises the soft RLIMIT_NOFILE to the hard limit where allowed; nil when the limit cannot
  /// be read. An unlimited hard limit raises the soft one to `ceiling` (the kernel's
  /// `nr_open` is usually 1,048,576).
  package static func raiseSoftLimit(ceiling: Int = 1 << 20) -> Raise? {
    var limit = rlimit()
    guard getrlimit(resourceNoFile, &limit) == 0 else { return nil }
    let before = Int(clamping: limit.rlim_cur)
    let hard = limit.rlim_max == rlim_t.max ? ceiling : Int(clamping: limit.rlim_max)
    guard before < hard else { return Raise(before: before, after: before, hard: hard) }
    limit.rlim_cur = rlim_t(hard)
    guard setrlimit(resourceNoFile, &limit) == 0 else {
      return Raise(before: before, after: before, hard: hard)
    }
    return Raise(before: before, after: hard, hard: hard)
  }

  /// Descriptors kept for everything but ADS connections: the admin port's connections, the
  /// journal, listeners, event loops, logs. A tenth of the limit, at least 256.
  static func headroom(forLimit limit: Int) -> Int {
    max(256, limit / 10)
  }

  /// The default `--max-ads-connections`: the soft limit less `headroom`, at least 16.
  package static func defaultMaxConnections(forLimit limit: Int) -> Int {
    max(16, limit - headroom(forLimit: limit))
  }

  #if canImport(Glibc)
    private static let resourceNoFile = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
  #else
    private static let resourceNoFile = RLIMIT_NOFILE
  #endif
}
