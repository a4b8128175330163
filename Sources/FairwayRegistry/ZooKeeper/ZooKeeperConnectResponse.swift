/// The server's answer to `ZooKeeperConnectRequest` (`ConnectResponse` in zookeeper.jute).
/// A timeout of 0 or less means the session asked for has expired.
public struct ZooKeeperConnectResponse: Equatable, Sendable {
  public var protocolVersion: Int32
  public var timeoutMs: Int32
  public var sessionID: Int64
  public var password: [UInt8]
  public var readOnly: Bool

  public init(
    protocolVersion: Int32 = 0, timeoutMs: Int32, sessionID: Int64, password: [UInt8],
    readOnly: Bool = false
  ) {
    self.protocolVersion = protocolVersion
    self.timeoutMs = timeoutMs
    self.sessionID = sessionID
    self.password = password
    self.readOnly = readOnly
  }

  public func encode(into writer: inout JuteWriter) {
    writer.int(protocolVersion)
    writer.int(timeoutMs)
    writer.long(sessionID)
    writer.bytes(password)
    writer.bool(readOnly)
  }

  public static func decode(_ reader: inout JuteReader) throws -> Self {
    var response = Self(
      protocolVersion: try reader.int("protocolVersion"), timeoutMs: try reader.int("timeOut"),
      sessionID: try reader.long("sessionId"), password: try reader.bytes("passwd") ?? [])
    // Servers before 3.4 end the record before readOnly.
    if reader.remaining > 0 { response.readOnly = try reader.bool("readOnly") }
    return response
  }
}
