import FairwayMesh
import Foundation

/// The auto-registration state machine: every entry this instance tracks and which streams
/// hold it. A value: events go in with the time they happened, actions for the store come out.
/// `AutoRegistrationController` feeds it and carries the actions out; tests drive it directly.
public struct RegistrationBook: Sendable, Equatable {
  /// How long an entry outlives its proxy's last stream.
  public let grace: TimeInterval
  public private(set) var phases: [ConfigKey: RegistrationPhase] = [:]
  /// The entry each open stream holds.
  public private(set) var streams: [UInt64: ConfigKey] = [:]

  public init(grace: TimeInterval) {
    self.grace = grace
  }

  /// A stream of a proxy that asks for auto-registration connected.
  public mutating func connect(stream: UInt64, request: RegistrationRequest, at time: Date)
    -> [RegistrationAction]
  {
    guard streams[stream] == nil else { return [] }
    streams[stream] = request.entry
    let (phase, register) = (phases[request.entry] ?? .disconnected(since: time)).connecting(
      stream: stream, at: time)
    phases[request.entry] = phase
    guard register, case .connected(_, let since) = phase else { return [] }
    return [.register(request, connectedAt: since)]
  }

  /// A stream ended (streams that never asked for registration are ignored).
  public mutating func disconnect(stream: UInt64, at time: Date) -> [RegistrationAction] {
    guard let key = streams.removeValue(forKey: stream), let current = phases[key] else {
      return []
    }
    let (phase, lastSince) = current.disconnecting(stream: stream, at: time)
    phases[key] = phase
    guard let lastSince else { return [] }
    return [.markDisconnected(key, connectedAt: lastSince, at: time)]
  }

  /// A health report on a stream that holds an entry.
  public func health(stream: UInt64, healthy: Bool, message: String?) -> [RegistrationAction] {
    guard let key = streams[stream] else { return [] }
    return [.reportHealth(key, healthy: healthy, message: message)]
  }

  /// An entry found in the store that this instance is responsible for but holds no stream
  /// of (after a restart, or one left behind): it gets the grace from `disconnectedAt` when
  /// the entry records one, else from `now`, in which case it is marked disconnected first.
  /// Entries already tracked are left as they are.
  public mutating func adopt(
    _ key: ConfigKey, connectedAt: Date?, disconnectedAt: Date?, now: Date
  ) -> [RegistrationAction] {
    guard phases[key] == nil else { return [] }
    if let disconnectedAt {
      phases[key] = .disconnected(since: disconnectedAt)
      return []
    }
    phases[key] = .disconnected(since: now)
    return [.markDisconnected(key, connectedAt: connectedAt ?? now, at: now)]
  }

  /// Entries whose grace ran out at `now`, at most `limit` of them (oldest first), forgotten
  /// here and returned as deletions.
  public mutating func expire(at now: Date, limit: Int = .max) -> [RegistrationAction] {
    let expired = phases.compactMap { key, phase -> (ConfigKey, Date)? in
      guard phase.isExpired(at: now, grace: grace), let deadline = phase.deadline(grace: grace)
      else { return nil }
      return (key, deadline)
    }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(max(limit, 0))
    for (key, _) in expired { phases.removeValue(forKey: key) }
    return expired.map { .delete($0.0) }
  }

  /// The earliest time a grace runs out, if any entry is waiting.
  public var nextDeadline: Date? {
    phases.values.compactMap { $0.deadline(grace: grace) }.min()
  }
}
