/// What precedes every frame from the server after the handshake (`ReplyHeader`): the xid of
/// the request answered (or a reserved one), the zxid the server is at, an error code.
public struct ZooKeeperReplyHeader: Equatable, Sendable {
  public var xid: Int32
  public var zxid: Int64
  public var error: Int32

  public init(xid: Int32, zxid: Int64, error: Int32) {
    self.xid = xid
    self.zxid = zxid
    self.error = error
  }

  public func encode(into writer: inout JuteWriter) {
    writer.int(xid)
    writer.long(zxid)
    writer.int(error)
  }

  public static func decode(_ reader: inout JuteReader) throws -> Self {
    Self(xid: try reader.int("xid"), zxid: try reader.long("zxid"), error: try reader.int("err"))
  }
}
