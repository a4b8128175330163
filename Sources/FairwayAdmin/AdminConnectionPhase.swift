/// Where one admin connection is in its request/response cycle, and which deadline applies:
/// the state machine behind `AdminConnectionDeadlines` (which owns the timer and the channel).
///
/// - Waiting for a request: the idle timeout, or the header timeout once its first byte came
///   (and from the accept for a new connection: a connection that never speaks is a slowloris).
/// - Head read, body arriving: the request timeout.
/// - Request read, response not finished: no deadline (the handler's own work is bounded).
struct AdminConnectionPhase {
  enum Action: Equatable {
    case schedule(Duration)
    case cancel
    case none
  }

  enum Phase: Equatable {
    case new
    case waiting(bytesSeen: Bool)
    case readingBody(responded: Bool)
    case handling
  }

  let idleTimeout: Duration
  let headerTimeout: Duration
  let requestTimeout: Duration
  private(set) var phase = Phase.new

  init(idleTimeout: Duration, headerTimeout: Duration, requestTimeout: Duration) {
    self.idleTimeout = idleTimeout
    self.headerTimeout = headerTimeout
    self.requestTimeout = requestTimeout
  }

  /// The connection is open; called more than once (handler added, channel active).
  mutating func activated() -> Action {
    guard phase == .new else { return .none }
    phase = .waiting(bytesSeen: true)
    return .schedule(headerTimeout)
  }

  mutating func bytesArrived() -> Action {
    guard phase == .waiting(bytesSeen: false) else { return .none }
    phase = .waiting(bytesSeen: true)
    return .schedule(headerTimeout)
  }

  mutating func headRead() -> Action {
    phase = .readingBody(responded: false)
    return .schedule(requestTimeout)
  }

  mutating func requestEnded() -> Action {
    if phase == .readingBody(responded: true) {
      phase = .waiting(bytesSeen: false)
      return .schedule(idleTimeout)
    }
    phase = .handling
    return .cancel
  }

  /// The response's last part was written. A response sent before the body ended (a 413)
  /// leaves the request timeout running until the body ends.
  mutating func responseEnded() -> Action {
    switch phase {
    case .readingBody:
      phase = .readingBody(responded: true)
      return .none
    case .handling:
      phase = .waiting(bytesSeen: false)
      return .schedule(idleTimeout)
    case .new, .waiting:
      return .none
    }
  }

  /// Whether the deadline that fired should close the connection.
  func shouldCloseOnTimeout() -> Bool {
    phase != .handling
  }
}
