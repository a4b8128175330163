/// Where one resource type stands on one stream. Both protocol variants go through the same
/// phases; they differ in which requests owe an answer (`receiveSotW`, `receiveDelta`).
///
///     unrequested -> answerOwed -> (response) -> awaitingAck -> acked | rejected
///                        ^                                          |
///                        +---- re-request / changed subscription ---+
///
/// A push sends from any requested phase when something changed (to `awaitingAck`); what was
/// sent stays the baseline, so a rejected config is not resent until the config changes.
enum TypePhase: Sendable, Equatable {
  /// Seen only in a request with a stale nonce (SotW): not subscribed, nothing is sent.
  case unrequested
  /// The next response goes out even if nothing changed, with everything subscribed: after a
  /// first request, and in SotW after a re-request or a changed subscription.
  case answerOwed
  /// A response is out and not yet acknowledged.
  case awaitingAck
  /// The client accepted the latest response.
  case acked
  /// The client rejected the latest response (NACK).
  case rejected

  /// What the stream does after a request moved the phase.
  enum Action: Sendable, Equatable {
    /// Answer now.
    case respond
    /// Nothing to send now (a push may still send later).
    case noResponse
  }

  var requested: Bool { self != .unrequested }
  var owesAnswer: Bool { self == .answerOwed }

  /// SotW: a first request or a re-request is answered with everything subscribed; an ACK or
  /// NACK only when it changed the subscription; a stale nonce is ignored (XDS-NOTES §1).
  mutating func receiveSotW(_ verdict: RequestVerdict, subscriptionChanged: Bool) -> Action {
    switch verdict {
    case .stale:
      return .noResponse
    case .initial, .rerequest:
      self = .answerOwed
      return .respond
    case .ack, .nack:
      acknowledge(verdict)
      guard subscriptionChanged else { return .noResponse }
      self = .answerOwed
      return .respond
    }
  }

  /// Delta: the first request for a type is answered even if there is nothing to send, whatever
  /// its nonce; later ones only for newly subscribed names (which are sent even if the client
  /// has them, so the answer is never empty). ACK and NACK move the phase (XDS-NOTES §2).
  mutating func receiveDelta(_ verdict: RequestVerdict, newNames: Bool) -> Action {
    var action = Action.noResponse
    if self == .unrequested {
      self = .answerOwed
      action = .respond
    }
    acknowledge(verdict)
    return newNames ? .respond : action
  }

  /// A response went out.
  mutating func responded() {
    self = .awaitingAck
  }

  private mutating func acknowledge(_ verdict: RequestVerdict) {
    // An answer still owed stays owed: acknowledging an earlier response does not pay it.
    guard self != .answerOwed else { return }
    switch verdict {
    case .ack: self = .acked
    case .nack: self = .rejected
    default: break
    }
  }
}
