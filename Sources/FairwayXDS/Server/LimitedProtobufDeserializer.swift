import GRPCCore
import GRPCProtobuf
import SwiftProtobuf

/// Decodes requests, refusing any larger than the configured limit with a status that says why
/// (the transport's own limit, kept above this one, would only reset the stream).
struct LimitedProtobufDeserializer<Message: SwiftProtobuf.Message>: MessageDeserializer {
  let maxBytes: Int

  func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message {
    guard serializedMessageBytes.count <= maxBytes else {
      throw RPCError(
        code: .resourceExhausted,
        message:
          "\(Message.protoMessageName) of \(serializedMessageBytes.count) bytes exceeds the limit of \(maxBytes) bytes"
      )
    }
    return try ProtobufDeserializer<Message>().deserialize(serializedMessageBytes)
  }
}
