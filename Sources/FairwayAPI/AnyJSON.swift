import Foundation

/// Any JSON value, for the parts of an API body whose shape is not ours: Envoy's config dump
/// sections (proto JSON from SwiftProtobuf) and a node's metadata `Struct`.
public enum AnyJSON: Sendable, Equatable, Codable {
  case null
  case bool(Bool)
  case int(Int64)
  case double(Double)
  case string(String)
  case array([AnyJSON])
  case object([String: AnyJSON])

  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    // Bool before the numbers: JSONDecoder refuses `1` as a Bool and `true` as a number, so
    // the order keeps each literal's own type, and integers before doubles keep 64-bit ids exact.
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Int64.self) {
      self = .int(value)
    } else if let value = try? container.decode(Double.self) {
      self = .double(value)
    } else if let value = try? container.decode([String: AnyJSON].self) {
      self = .object(value)
    } else {
      self = .array(try container.decode([AnyJSON].self))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let value): try container.encode(value)
    case .int(let value): try container.encode(value)
    case .double(let value): try container.encode(value)
    case .string(let value): try container.encode(value)
    case .array(let value): try container.encode(value)
    case .object(let value): try container.encode(value)
    }
  }

  /// The member `key` of an object; nil for anything else.
  public subscript(key: String) -> AnyJSON? {
    if case .object(let members) = self { return members[key] }
    return nil
  }

  /// The text of a string; nil for anything else.
  public var stringValue: String? {
    if case .string(let value) = self { return value }
    return nil
  }
}
