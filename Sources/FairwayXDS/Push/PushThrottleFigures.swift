/// What `PushThrottle` reports at one moment, for `/metrics`.
public struct PushThrottleFigures: Sendable, Equatable {
  /// Streams waiting for room in the push window now.
  public var queued: Int
  /// Responses that waited for room, since start.
  public var waited: Int
  /// Responses that stopped counting against the window unacknowledged, at the end of their
  /// lease, since start.
  public var expired: Int

  public init(queued: Int, waited: Int, expired: Int) {
    self.queued = queued
    self.waited = waited
    self.expired = expired
  }
}
