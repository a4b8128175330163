import Foundation
import Testing

@testable import FairwayXDS

@Suite struct HeapTrimmerTests {
  @Test func trimsOncePerBurstAfterItEnds() {
    var schedule = HeapTrimmer.Schedule(responsesSent: 10)
    let samples = [10, 500, 2_000, 2_000, 2_000, 2_001, 2_001]
    let trims = samples.map { schedule.sample(responsesSent: $0) }
    // Nothing sent, still sending twice, quiet after the burst, once per burst, a new burst.
    #expect(trims == [false, false, false, true, false, false, true])
  }

  #if os(Linux)
    static func residentBytes() -> Int {
      guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
        let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
      else { return 0 }
      return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Memory freed between live allocations stays resident until trimmed: the allocator
    /// cannot shrink its heap past the live chunks. This is what a push leaves behind.
    @Test func releasingFreeHeapLowersResidentMemory() {
      let chunk = 64 * 1024
      var blocks: [UnsafeMutableRawPointer] = []
      for _ in 0..<4_096 {
        guard let block = malloc(chunk) else { continue }
        memset(block, 1, chunk)
        blocks.append(block)
      }
      // Free three of every four: 192 MiB of holes between 64 MiB still in use.
      var kept: [UnsafeMutableRawPointer] = []
      for (index, block) in blocks.enumerated() {
        if index % 4 == 0 { kept.append(block) } else { free(block) }
      }
      let before = Self.residentBytes()
      HeapTrimmer.releaseFreeHeap()
      let after = Self.residentBytes()
      for block in kept { free(block) }
      #expect(before - after > 64 * 1024 * 1024, "RSS \(before) -> \(after)")
    }
  #endif
}
