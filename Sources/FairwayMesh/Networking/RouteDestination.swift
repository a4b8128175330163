/// A weighted destination of a TCP or TLS route.
public struct RouteDestination: Sendable, Equatable, Codable {
  public var destination: Destination?
  public var weight: Int?

  public init(destination: Destination? = nil, weight: Int? = nil) {
    self.destination = destination
    self.weight = weight
  }
}
