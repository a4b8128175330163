import CFairwayAllocator
import Foundation

/// Resident memory, CPU time and open descriptors of this process, read from `/proc/self`
/// the way Prometheus' client libraries do, and what the C allocator holds. Fields stay nil
/// where `/proc` is missing (macOS) or unreadable, or the allocator is not glibc's, and the
/// exporter then leaves the series out.
struct ProcessStats: Sendable, Equatable {
  var residentMemoryBytes: Double?
  var cpuSeconds: Double?
  var openFileDescriptors: Double?
  var startTimeSeconds: Double?
  /// Allocated and not freed. Resident memory above this plus code and stacks is the
  /// allocator's free memory not yet given back (fragmentation).
  var heapInUseBytes: Double?
  /// Freed into the allocator's arenas and kept there.
  var heapFreeBytes: Double?

  static func current() -> ProcessStats {
    var stats = ProcessStats()
    let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
    let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
      stats.residentMemoryBytes = parseStatm(statm, pageSize: pageSize)
    }
    if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8) {
      let parsed = parseStat(stat, ticksPerSecond: ticksPerSecond)
      stats.cpuSeconds = parsed.cpuSeconds
      if let startTicks = parsed.startTicks, let bootTime = bootTimeSeconds() {
        stats.startTimeSeconds = bootTime + startTicks / ticksPerSecond
      }
    }
    if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
      // The listing itself holds one descriptor open while it runs.
      stats.openFileDescriptors = Double(max(entries.count - 1, 0))
    }
    let heap = fairway_heap_figures_now()
    if heap.known {
      stats.heapInUseBytes = Double(heap.in_use)
      stats.heapFreeBytes = Double(heap.free)
    }
    return stats
  }

  /// `statm`'s second field is resident pages.
  static func parseStatm(_ text: String, pageSize: Double) -> Double? {
    let fields = text.split(whereSeparator: \.isWhitespace)
    guard fields.count > 1, let pages = Double(fields[1]), pageSize > 0 else { return nil }
    return pages * pageSize
  }

  /// utime (14), stime (15) and starttime (22) in clock ticks. The command name (field 2)
  /// may hold spaces and parentheses, so fields are counted after its last `)`.
  static func parseStat(_ text: String, ticksPerSecond: Double) -> (
    cpuSeconds: Double?, startTicks: Double?
  ) {
    guard let close = text.lastIndex(of: ")"), ticksPerSecond > 0 else { return (nil, nil) }
    let rest = text[text.index(after: close)...].split(whereSeparator: \.isWhitespace)
    // rest[0] is field 3 (state), so field N is rest[N - 3].
    func field(_ number: Int) -> Double? {
      let index = number - 3
      return index < rest.count ? Double(rest[index]) : nil
    }
    var cpu: Double?
    if let user = field(14), let system = field(15) { cpu = (user + system) / ticksPerSecond }
    return (cpu, field(22))
  }

  private static func bootTimeSeconds() -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
      return Double(line.dropFirst("btime ".count).trimmingCharacters(in: .whitespaces))
    }
    return nil
  }
}
