import GRPCCore
import SwiftProtobuf

/// Turns a request that does not decode into INVALID_ARGUMENT, so the stream ends with a status
/// that says what was wrong (a bare decoding error ended it with OK, as if the client had left).
enum UndecodableRequest {
  static func rethrowing<Message: SwiftProtobuf.Message>(
    _: Message.Type, _ body: () throws -> Message
  ) throws -> Message {
    do {
      return try body()
    } catch let error as RPCError {
      throw error
    } catch {
      throw RPCError(
        code: .invalidArgument,
        message: "cannot decode \(Message.protoMessageName): \(error)")
    }
  }
}
