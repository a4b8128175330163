import GRPCCore

/// Writes responses that are already in wire format: assembled once from cached resource bytes,
/// never re-serialized by swift-protobuf on the way out, and copied once into the transport's
/// buffer (segment by segment, see `EncodedMessage`).
struct PassThroughSerializer: MessageSerializer {
  func serialize<Bytes: GRPCContiguousBytes>(_ message: EncodedMessage) throws -> Bytes {
    Bytes(message.contents)
  }
}
