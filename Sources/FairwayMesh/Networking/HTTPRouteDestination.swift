/// A weighted destination of an HTTP route, with optional header manipulation.
public struct HTTPRouteDestination: Sendable, Equatable, Codable {
  public var destination: Destination?
  public var weight: Int?
  public var headers: Headers?

  public init(destination: Destination? = nil, weight: Int? = nil) {
    self.destination = destination
    self.weight = weight
  }
}
