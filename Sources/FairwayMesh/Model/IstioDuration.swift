/// A duration as Istio configs spell it: `1.5s`, `300ms`, `2m`, `1h30m`, `-1s`.
///
/// Istio accepts both protobuf JSON (`"1.5s"`) and Go's `time.ParseDuration` forms; this
/// type takes the union. The text is kept so encoding writes back what the user wrote.
/// Negative values parse (validation rejects them where Istio does).
public struct IstioDuration: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
  /// Whole seconds; negative for negative durations.
  public let seconds: Int64
  /// Nanoseconds, with the same sign as `seconds` (protobuf `Duration` convention).
  public let nanos: Int32
  /// The text as written.
  public let text: String

  /// Parses Istio's duration syntax. Returns `nil` for anything else.
  public init?(_ text: String) {
    guard let totalNanos = Self.parseNanoseconds(text) else { return nil }
    self.seconds = Int64(totalNanos / 1_000_000_000)
    self.nanos = Int32(totalNanos % 1_000_000_000)
    self.text = text
  }

  /// A duration from seconds and nanoseconds; `text` is rendered in seconds (`1.5s`).
  public init(seconds: Int64, nanos: Int32 = 0) {
    self.seconds = seconds
    self.nanos = nanos
    let total = Double(seconds) + Double(nanos) / 1e9
    var rendered = String(total)
    if rendered.hasSuffix(".0") { rendered.removeLast(2) }
    self.text = rendered + "s"
  }

  /// Total nanoseconds (saturating at the `Int64` range).
  package var totalNanoseconds: Int64 {
    let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
    if overflow { return seconds < 0 ? .min : .max }
    let (sum, overflow2) = product.addingReportingOverflow(Int64(nanos))
    if overflow2 { return seconds < 0 ? .min : .max }
    return sum
  }

  /// The value as a Swift `Duration`.
  public var duration: Duration { .seconds(seconds) + .nanoseconds(Int64(nanos)) }

  /// True for durations below zero.
  public var isNegative: Bool { seconds < 0 || nanos < 0 }

  public var description: String { text }

  public static func == (lhs: IstioDuration, rhs: IstioDuration) -> Bool {
    lhs.seconds == rhs.seconds && lhs.nanos == rhs.nanos
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(seconds)
    hasher.combine(nanos)
  }

  public static func < (lhs: IstioDuration, rhs: IstioDuration) -> Bool {
    (lhs.seconds, lhs.nanos) < (rhs.seconds, rhs.nanos)
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let value = IstioDuration(text) else {
      throw DecodingError.dataCorruptedError(
        in: container,
        debugDescription:
          "invalid duration \"\(text)\" (expected a number with a unit, e.g. 1.5s, 300ms, 2m, 1h)")
    }
    self = value
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(text)
  }

  private static let unitNanos: [String: Double] = [
    "ns": 1, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9,
  ]

  /// Parses into total nanoseconds. Accumulates in `Double` with a range check because
  /// the only inputs large enough to lose precision are far past Istio's limits anyway.
  private static func parseNanoseconds(_ text: String) -> Int64? {
    var chars = Substring(text)
    var negative = false
    if chars.first == "-" || chars.first == "+" {
      negative = chars.first == "-"
      chars = chars.dropFirst()
    }
    if chars == "0" { return 0 }
    guard !chars.isEmpty else { return nil }
    var total = 0.0
    while !chars.isEmpty {
      let number = chars.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
      guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1,
        let value = Double(number.hasPrefix(".") ? "0" + number : String(number))
      else { return nil }
      chars = chars.dropFirst(number.count)
      let unit = chars.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
      guard let scale = unitNanos[String(unit)] else { return nil }
      chars = chars.dropFirst(unit.count)
      total += value * scale
    }
    guard total < 9.2e18 else { return nil }
    let rounded = Int64(total.rounded())
    return negative ? -rounded : rounded
  }
}
