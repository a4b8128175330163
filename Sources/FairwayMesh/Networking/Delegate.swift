/// Hands routing of matching requests to another VirtualService.
public struct Delegate: Sendable, Equatable, Codable {
  public var name: String?
  public var namespace: String?

  public init() {}
}
