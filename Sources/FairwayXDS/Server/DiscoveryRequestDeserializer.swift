import FairwayProto
import Foundation
import GRPCCore
import SwiftProtobuf

/// Decodes SotW `DiscoveryRequest`s like `LimitedProtobufDeserializer`, but takes
/// `resource_names` from `ResourceNameLists` when the same list was seen before (see there).
struct DiscoveryRequestDeserializer: MessageDeserializer {
  typealias Message = Envoy_Service_Discovery_V3_DiscoveryRequest
  let maxBytes: Int
  /// Names one request may carry; a longer list is refused before it is kept in `lists`.
  let maxNames: Int
  let lists: ResourceNameLists

  func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message {
    try RequestSizeLimit.check(
      serializedMessageBytes.count, maxBytes: maxBytes, messageName: Message.protoMessageName)
    return try UndecodableRequest.rethrowing(Message.self) {
      try decode(serializedMessageBytes)
    }
  }

  private func decode<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message
  {
    try serializedMessageBytes.withUnsafeBytes { raw in
      // resource_names = 3 (length-delimited, tag byte 0x1a) are looked up, the rest decoded.
      guard let (rest, nameRuns) = Self.split(raw) else {
        // Malformed framing: let SwiftProtobuf produce the error.
        return try Message(serializedBytes: Array(raw))
      }
      var message = try Message(serializedBytes: rest)
      guard !nameRuns.isEmpty else { return message }
      let decode = { (names: [UInt8]) in try Message(serializedBytes: names).resourceNames }
      if nameRuns.count == 1, let run = nameRuns.first {
        // Envoy writes the names as one run: look it up where it lies, copying nothing on a hit.
        message.resourceNames = try lists.names(
          encodedIn: UnsafeRawBufferPointer(rebasing: raw[run]), maxNames: maxNames,
          decode: decode)
      } else {
        var names: [UInt8] = []
        for run in nameRuns { names.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[run])) }
        message.resourceNames = try names.withUnsafeBytes {
          try lists.names(encodedIn: $0, maxNames: maxNames, decode: decode)
        }
      }
      return message
    }
  }

  /// Splits the top-level fields into everything but the resource names (copied) and the
  /// byte ranges of the resource names, or nil when the bytes are not well-formed enough to
  /// split.
  static func split(_ raw: UnsafeRawBufferPointer) -> (rest: [UInt8], names: [Range<Int>])? {
    var rest: [UInt8] = []
    var names: [Range<Int>] = []
    // Runs of consecutive fields of one kind are taken in one go (Envoy writes the names as
    // one run), not field by field.
    var runStart = 0
    var runIsNames = false
    func flush(upTo end: Int) {
      guard end > runStart else { return }
      if runIsNames {
        names.append(runStart..<end)
      } else {
        rest.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[runStart..<end]))
      }
      runStart = end
    }
    var index = 0
    while index < raw.count {
      let start = index
      guard let key = varint(raw, &index) else { return nil }
      switch key & 7 {
      case 0:
        guard varint(raw, &index) != nil else { return nil }
      case 1:
        index += 8
      case 2:
        guard let length = varint(raw, &index), length <= UInt64(raw.count - index) else {
          return nil
        }
        index += Int(length)
      case 5:
        index += 4
      default:
        return nil
      }
      guard index <= raw.count else { return nil }
      let isNames = key == 3 << 3 | 2
      if isNames != runIsNames {
        flush(upTo: start)
        runIsNames = isNames
      }
    }
    flush(upTo: raw.count)
    return (rest, names)
  }

  private static func varint(_ raw: UnsafeRawBufferPointer, _ index: inout Int) -> UInt64? {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while index < raw.count, shift < 64 {
      let byte = raw[index]
      index += 1
      result |= UInt64(byte & 0x7f) << shift
      if byte & 0x80 == 0 { return result }
      shift += 7
    }
    return nil
  }
}
