import FairwayProto

/// What a stream keeps besides its per-type state, whichever protocol variant it speaks: the
/// node from its first request, its nonce sequence, and the encoded `control_plane` it stamps
/// on every response.
struct StreamEnvelope {
  /// The node arrives only on the first request of a stream; later ones may omit it.
  private(set) var node: Envoy_Config_Core_V3_Node?
  private var nonceCounter: UInt64 = 0
  let controlPlane: [UInt8]

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
}
