/// One mirror target with its own percentage.
public struct HTTPMirrorPolicy: Sendable, Equatable, Codable {
  public var destination: Destination?
  public var percentage: Percent?

  public init() {}
}
