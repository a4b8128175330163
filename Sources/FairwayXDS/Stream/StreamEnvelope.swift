import FairwayProto

/// What a stream keeps besides its per-type state, whichever protocol variant it speaks: the
/// node from its first request, its nonce sequence, the encoded `control_plane` it stamps
/// on every response, and the few type URLs it asked for that this server does not serve.
struct StreamEnvelope {
  /// The node arrives only on the first request of a stream; later ones may omit it.
  private(set) var node: Envoy_Config_Core_V3_Node?
  private var nonceCounter: UInt64 = 0
  let controlPlane: [UInt8]
  private(set) var unknownTypes = UnknownTypes()

  init(controlPlaneIdentifier: String) {
    controlPlane = ResponseEncoder.controlPlane(identifier: controlPlaneIdentifier)
  }

  mutating func adopt(_ node: Envoy_Config_Core_V3_Node?) {
    if self.node == nil, let node { self.node = node }
  }

  /// Nonces are unique per stream; clients echo them per type.
  mutating func nextNonce() -> String {
    nonceCounter += 1
    return String(nonceCounter)
  }

  /// A request for a type URL this server does not serve. Answered when `answer` (the variant
  /// decides which requests ask for one) with the message `encode` builds for a nonce; never a
  /// stale nonce of a served type, and never per-type state beyond `UnknownTypes`' few entries.
  ///
  /// Why answer at all: the xDS protocol has no "unknown type" status, and ending the stream
  /// would cut the client off from the types it does get; an empty answer tells it this server
  /// has no such resources, as istiod does (its API generator returns an empty set for a type
  /// it does not know), where go-control-plane leaves the request waiting forever.
  mutating func unknownType(
    _ typeURL: String, nonce: String, error: String?, answer: Bool,
    encode: (_ nonce: String, _ controlPlane: [UInt8]) -> EncodedMessage
  ) -> RequestOutcome {
    let verdict = unknownTypes.verdict(typeURL: typeURL, nonce: nonce, error: error)
    guard answer, typeURL.utf8.count <= UnknownTypes.maxAnsweredTypeURLBytes else {
      return RequestOutcome(type: nil, verdict: verdict, respond: false)
    }
    let sent = nextNonce()
    unknownTypes.recordSent(nonce: sent, typeURL: typeURL)
    return RequestOutcome(
      type: nil, verdict: verdict, respond: false, reply: encode(sent, controlPlane))
  }
}
