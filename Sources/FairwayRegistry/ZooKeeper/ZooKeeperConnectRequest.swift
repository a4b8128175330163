import NIOCore

/// The first frame a client sends (`ConnectRequest` in zookeeper.jute): a new session has id 0
/// and an empty password; resuming one sends its id, password and the last zxid seen.
public struct ZooKeeperConnectRequest: Equatable, Sendable {
  public var protocolVersion: Int32 = 0
  public var lastZxidSeen: Int64
  public var timeoutMs: Int32
  public var sessionID: Int64
  public var password: [UInt8]
  public var readOnly = false

  public init(lastZxidSeen: Int64, timeoutMs: Int32, sessionID: Int64, password: [UInt8]) {
    self.lastZxidSeen = lastZxidSeen
    self.timeoutMs = timeoutMs
    self.sessionID = sessionID
    self.password = password
  }

  public func encode(into writer: inout JuteWriter) {
    writer.int(protocolVersion)
    writer.long(lastZxidSeen)
    writer.int(timeoutMs)
    writer.long(sessionID)
    writer.bytes(password)
    writer.bool(readOnly)
  }

  public static func decode(_ reader: inout JuteReader) throws -> Self {
    let version = try reader.int("protocolVersion")
    var request = Self(
      lastZxidSeen: try reader.long("lastZxidSeen"), timeoutMs: try reader.int("timeOut"),
      sessionID: try reader.long("sessionId"), password: try reader.bytes("passwd") ?? [])
    request.protocolVersion = version
    // Older clients stop before readOnly.
    if reader.remaining > 0 { request.readOnly = try reader.bool("readOnly") }
    return request
  }

  /// The request as a length-prefixed frame (it has no request header).
  public func frame() -> ByteBuffer {
    var writer = JuteWriter()
    encode(into: &writer)
    return writer.framed()
  }
}
