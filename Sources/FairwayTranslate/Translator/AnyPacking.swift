import Foundation
import SwiftProtobuf

extension Google_Protobuf_Any {
  /// Packs eagerly (type URL + deterministic bytes): the lazy `Any(message:)` re-serializes on
  /// every access and would not sort map keys inside the nested message.
  static func packed(_ message: some SwiftProtobuf.Message) -> Google_Protobuf_Any {
    var options = BinaryEncodingOptions()
    options.useDeterministicOrdering = true
    var any = Google_Protobuf_Any()
    any.typeURL = "type.googleapis.com/" + type(of: message).protoMessageName
    any.value = (try? message.serializedData(options: options)) ?? Data()
    return any
  }
}
