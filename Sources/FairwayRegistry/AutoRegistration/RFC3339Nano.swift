import Foundation

/// Go's `time.RFC3339Nano`, the format istiod writes `istio.io/connectedAt` and
/// `istio.io/disconnectedAt` in: UTC, nanoseconds with trailing zeros dropped
/// (`2026-12-06T13:05:47.123456789Z`, `2026-12-06T13:05:47Z`).
enum RFC3339Nano {
  static func format(_ date: Date) -> String {
    let interval = date.timeIntervalSince1970
    var seconds = time_t(interval.rounded(.down))
    var nanos = Int(((interval - Double(seconds)) * 1e9).rounded())
    if nanos >= 1_000_000_000 {
      seconds += 1
      nanos -= 1_000_000_000
    }
    var parts = tm()
    gmtime_r(&seconds, &parts)
    var text = String(
      format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    if nanos > 0 {
      var fraction = String(format: "%09d", nanos)
      while fraction.hasSuffix("0") { fraction.removeLast() }
      text += "." + fraction
    }
    return text + "Z"
  }

  /// Parses what `format` writes, and any RFC 3339 time with a numeric offset; nil otherwise.
  static func parse(_ text: String) -> Date? {
    // Split off the fraction: Foundation's parser takes at most milliseconds.
    var whole = text
    var fraction = 0.0
    if let dot = text.firstIndex(of: ".") {
      let rest = text[text.index(after: dot)...]
      let digits = rest.prefix(while: \.isNumber)
      guard !digits.isEmpty, digits.count <= 9, let value = Double("0." + digits) else {
        return nil
      }
      fraction = value
      whole = String(text[..<dot]) + rest.dropFirst(digits.count)
    }
    let parser = ISO8601DateFormatter()
    parser.formatOptions = [.withInternetDateTime]
    guard let date = parser.date(from: whole) else { return nil }
    return date.addingTimeInterval(fraction)
  }
}
