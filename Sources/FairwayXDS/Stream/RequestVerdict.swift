/// How a stream's state machine classified one request for one type.
enum RequestVerdict: Sendable, Equatable {
  /// The first request for the type on this stream.
  case initial
  /// An ACK of the latest response.
  case ack
  /// A NACK of the latest response, with the client's error message.
  case nack(String)
  /// The nonce is not the latest sent for the type: ignored (SotW) or subscriptions only (Delta).
  /// For a type URL the server does not serve: not the latest empty answer sent for it.
  case stale
  /// A request carrying no nonce after the first: a re-request (e.g. after a subscription change).
  case rerequest
}
