import GRPCCore
import GRPCProtobuf
import SwiftProtobuf

/// Decodes requests, refusing any larger than the configured limit with a status that says why
/// (the transport's own limit, kept above this one, would only reset the stream).
struct LimitedProtobufDeserializer<Message: SwiftProtobuf.Message>: MessageDeserializer {
  let maxBytes: Int

  func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message {
    try RequestSizeLimit.check(
      serializedMessageBytes.count, maxBytes: maxBytes, messageName: Message.protoMessageName)
    return try UndecodableRequest.rethrowing(Message.self) {
      try ProtobufDeserializer<Message>().deserialize(serializedMessageBytes)
    }
  }
}
