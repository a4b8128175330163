/// One collection's state on an MCP sink: what was last applied (kept across streams, so a
/// reconnect sends it as `version_info`) and where the current stream stands. Pure: every
/// transition returns the requests to send and the work to do; `MCPSink` performs them.
public enum MCPSinkTypeState: Sendable, Equatable {
  /// No stream, or a stream that has not asked for this collection yet.
  case idle(accepted: String)
  /// Asked on the current stream; no response yet.
  case waiting(accepted: String)
  /// A decoded response is being applied to the store.
  case applying(accepted: String, version: String, nonce: String)
  /// The latest response was applied and ACKed.
  case synced(accepted: String, nonce: String)
  /// The latest response was NACKed; the store holds the last accepted set.
  case rejected(accepted: String, nonce: String, error: String)

  /// What happened to the collection.
  public enum Event: Sendable, Equatable {
    case streamOpened
    case streamClosed
    /// A response arrived; `problem` is set when it failed to decode or validate.
    case response(version: String, nonce: String, problem: String?)
    /// The store took the batch (`problem == nil`) or refused it.
    case applied(problem: String?)
  }

  /// What the sink must do.
  public enum Action: Sendable, Equatable {
    /// Send a DiscoveryRequest: the first of a stream (empty nonce), an ACK or a NACK.
    case request(versionInfo: String, nonce: String, errorDetail: String?)
    /// Apply the decoded response as one batch, then report `.applied`.
    case apply(version: String)
  }

  public static let initial = MCPSinkTypeState.idle(accepted: "")

  /// The version of the last set applied ("" before the first).
  public var accepted: String {
    switch self {
    case .idle(let accepted), .waiting(let accepted), .applying(let accepted, _, _),
      .synced(let accepted, _), .rejected(let accepted, _, _):
      return accepted
    }
  }

  /// Moves on `event` and returns what to do.
  public mutating func handle(_ event: Event) -> [Action] {
    switch (self, event) {
    case (_, .streamClosed):
      self = .idle(accepted: accepted)
      return []
    case (.idle(let accepted), .streamOpened):
      self = .waiting(accepted: accepted)
      return [.request(versionInfo: accepted, nonce: "", errorDetail: nil)]
    case (_, .streamOpened):
      // Already asked on this stream.
      return []
    case (.waiting(let accepted), .response(let version, let nonce, let problem)),
      (.synced(let accepted, _), .response(let version, let nonce, let problem)),
      (.rejected(let accepted, _, _), .response(let version, let nonce, let problem)):
      if let problem {
        // NACK: version_info stays the last accepted one; nothing is applied.
        self = .rejected(accepted: accepted, nonce: nonce, error: problem)
        return [.request(versionInfo: accepted, nonce: nonce, errorDetail: problem)]
      }
      self = .applying(accepted: accepted, version: version, nonce: nonce)
      return [.apply(version: version)]
    case (.applying(let accepted, let version, let nonce), .applied(let problem)):
      if let problem {
        self = .rejected(accepted: accepted, nonce: nonce, error: problem)
        return [.request(versionInfo: accepted, nonce: nonce, errorDetail: problem)]
      }
      self = .synced(accepted: version, nonce: nonce)
      return [.request(versionInfo: version, nonce: nonce, errorDetail: nil)]
    case (.idle, .response), (.applying, .response), (_, .applied):
      // A response outside a stream, one overlapping an apply (the sink applies one response
      // at a time), or an apply result nobody waits for: nothing to do.
      return []
    }
  }
}
