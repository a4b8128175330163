import Foundation

/// Where one auto-registered WorkloadEntry stands, as seen by this instance.
public enum RegistrationPhase: Sendable, Equatable {
  /// At least one of the proxy's streams is open here; `since` is when the first of them
  /// connected (the entry's `istio.io/connectedAt`).
  case connected(streams: Set<UInt64>, since: Date)
  /// The last stream ended at `since`; the entry is deleted at `since + grace` unless a
  /// stream comes back first.
  case disconnected(since: Date)

  /// A stream of the proxy connected: the new phase, and whether the entry must be (re)written
  /// as connected (not for a second stream of a proxy already connected).
  func connecting(stream: UInt64, at time: Date) -> (RegistrationPhase, register: Bool) {
    switch self {
    case .connected(var streams, let since):
      streams.insert(stream)
      return (.connected(streams: streams, since: since), false)
    case .disconnected:
      return (.connected(streams: [stream], since: time), true)
    }
  }

  /// A stream ended: the new phase, and the connection time to mark disconnected when it was
  /// the proxy's last stream.
  func disconnecting(stream: UInt64, at time: Date) -> (RegistrationPhase, lastSince: Date?) {
    guard case .connected(var streams, let since) = self, streams.remove(stream) != nil else {
      return (self, nil)
    }
    if streams.isEmpty { return (.disconnected(since: time), since) }
    return (.connected(streams: streams, since: since), nil)
  }

  /// Whether the grace after a disconnect has run out at `now`.
  func isExpired(at now: Date, grace: TimeInterval) -> Bool {
    guard case .disconnected(let since) = self else { return false }
    return now >= since.addingTimeInterval(grace)
  }

  /// When the grace runs out, if disconnected.
  func deadline(grace: TimeInterval) -> Date? {
    guard case .disconnected(let since) = self else { return nil }
    return since.addingTimeInterval(grace)
  }
}
