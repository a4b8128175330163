import Foundation

/// Percentiles of a sample list (nearest rank), in the unit given.
struct Summary: Sendable, CustomStringConvertible {
  var count: Int
  var p50: Double
  var p99: Double
  var max: Double

  init(_ samples: [Double]) {
    let sorted = samples.sorted()
    count = sorted.count
    func rank(_ q: Double) -> Double {
      guard !sorted.isEmpty else { return .nan }
      let index = Int((q * Double(sorted.count)).rounded(.up)) - 1
      return sorted[Swift.max(0, Swift.min(sorted.count - 1, index))]
    }
    p50 = rank(0.5)
    p99 = rank(0.99)
    max = sorted.last ?? .nan
  }

  var description: String {
    "p50 \(ms(p50)) ms, p99 \(ms(p99)) ms, max \(ms(max)) ms (n=\(count))"
  }
}

/// Seconds as milliseconds with one decimal.
func ms(_ seconds: Double) -> String {
  guard seconds.isFinite else { return "-" }
  return String(Double((seconds * 10_000).rounded()) / 10)
}

/// Prints a line unbuffered, so progress can be followed in a log file while a run goes on.
func say(_ text: String) {
  FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
