/// A watch notification (`WatcherEvent`, after a reply header with xid -1): which kind of
/// change happened to `path`. Watches fire once; the client sets them again by reading.
public struct ZooKeeperWatcherEvent: Equatable, Sendable {
  /// `ZooKeeperProtocol.EventType` raw value (kept raw: an unknown type is not an error).
  public var type: Int32
  public var state: Int32
  public var path: String

  public init(type: Int32, state: Int32, path: String) {
    self.type = type
    self.state = state
    self.path = path
  }

  public var eventType: ZooKeeperProtocol.EventType? { .init(rawValue: type) }

  public func encode(into writer: inout JuteWriter) {
    writer.int(type)
    writer.int(state)
    writer.string(path)
  }

  public static func decode(_ reader: inout JuteReader) throws -> Self {
    Self(
      type: try reader.int("type"), state: try reader.int("state"),
      path: try reader.string("path") ?? "")
  }
}
