import Foundation

/// The one JSON encoding of the admin API, used by the server to write bodies and by clients
/// and tests to read them: pretty-printed, keys sorted, dates in ISO 8601.
public enum APICoding {
  /// A new encoder with the API's settings (JSONEncoder is not Sendable, so one per use).
  public static func encoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.dateEncodingStrategy = .iso8601
    return encoder
  }

  /// A new decoder matching `encoder()`.
  public static func decoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return decoder
  }

  /// `value` as the API writes it.
  public static func encode(_ value: some Encodable) throws -> Data {
    try encoder().encode(value)
  }

  /// A body the API wrote, as `type`.
  public static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
    try decoder().decode(type, from: data)
  }

  /// Times in `/debug/syncz` and `/debug/adsz`: ISO 8601 to the second, UTC, as istiod writes.
  public static func timestamp(_ date: Date) -> String {
    date.formatted(.iso8601)
  }

  /// A time written by `timestamp`; nil for "" (never) or text that is not one.
  public static func date(_ text: String) -> Date? {
    guard !text.isEmpty else { return nil }
    return try? Date(text, strategy: .iso8601)
  }
}
