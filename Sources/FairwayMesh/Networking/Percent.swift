/// A percentage in [0, 100].
public struct Percent: Sendable, Equatable, Codable {
  public var value: Double?

  public init(value: Double? = nil) { self.value = value }
}
