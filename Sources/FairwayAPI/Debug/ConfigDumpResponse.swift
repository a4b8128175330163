import Foundation

/// The body of `/debug/config_dump`: one dump, or `{"streams": [...]}` when the proxy has
/// several streams.
public enum ConfigDumpResponse: Sendable, Equatable, Codable {
  case one(ProxyConfigDump)
  case streams([ProxyConfigDump])

  /// The answer for `dumps` (one per stream of a proxy).
  public init(_ dumps: [ProxyConfigDump]) {
    self = dumps.count == 1 ? .one(dumps[0]) : .streams(dumps)
  }

  /// Every dump, in stream order.
  public var dumps: [ProxyConfigDump] {
    switch self {
    case .one(let dump): return [dump]
    case .streams(let dumps): return dumps
    }
  }

  enum CodingKeys: String, CodingKey {
    case streams
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    if container.contains(.streams) {
      self = .streams(try container.decode([ProxyConfigDump].self, forKey: .streams))
    } else {
      self = .one(try ProxyConfigDump(from: decoder))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    switch self {
    case .one(let dump):
      try dump.encode(to: encoder)
    case .streams(let dumps):
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(dumps, forKey: .streams)
    }
  }
}
