/// Selects a port by number.
public struct PortSelector: Sendable, Equatable, Codable {
  public var number: Int?

  public init(number: Int? = nil) { self.number = number }
}
