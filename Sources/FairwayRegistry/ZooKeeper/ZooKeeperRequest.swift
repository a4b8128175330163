import NIOCore

/// The requests Fairway's client sends. Each is framed with a `RequestHeader` (xid, type).
public enum ZooKeeperRequest: Equatable, Sendable {
  /// `ExistsRequest`: the watch is set even when the node does not exist (NodeCreated fires).
  case exists(path: String, watch: Bool)
  /// `GetDataRequest`.
  case getData(path: String, watch: Bool)
  /// `GetChildrenRequest` (opcode 8): names only.
  case getChildren(path: String, watch: Bool)
  /// `GetChildren2Request` (opcode 12): names and the parent's Stat.
  case getChildren2(path: String, watch: Bool)
  /// `SetWatches` (xid -8): re-arms watches on a resumed session; events missed since
  /// `relativeZxid` fire at once.
  case setWatches(relativeZxid: Int64, data: [String], exist: [String], child: [String])
  /// Keeps the session alive (xid -2).
  case ping
  /// Ends the session: its ephemeral nodes go at once.
  case closeSession

  public var opCode: ZooKeeperProtocol.OpCode {
    switch self {
    case .exists: .exists
    case .getData: .getData
    case .getChildren: .getChildren
    case .getChildren2: .getChildren2
    case .setWatches: .setWatches
    case .ping: .ping
    case .closeSession: .closeSession
    }
  }

  /// The xid a request of this kind must carry, when the protocol reserves one.
  public var reservedXid: Int32? {
    switch self {
    case .ping: ZooKeeperProtocol.Xid.ping
    case .setWatches: ZooKeeperProtocol.Xid.setWatches
    default: nil
    }
  }

  public func encode(xid: Int32, into writer: inout JuteWriter) {
    writer.int(reservedXid ?? xid)
    writer.int(opCode.rawValue)
    switch self {
    case .exists(let path, let watch), .getData(let path, let watch),
      .getChildren(let path, let watch), .getChildren2(let path, let watch):
      writer.string(path)
      writer.bool(watch)
    case .setWatches(let zxid, let data, let exist, let child):
      writer.long(zxid)
      writer.strings(data)
      writer.strings(exist)
      writer.strings(child)
    case .ping, .closeSession:
      break
    }
  }

  /// The request as a length-prefixed frame.
  public func frame(xid: Int32) -> ByteBuffer {
    var writer = JuteWriter()
    encode(xid: xid, into: &writer)
    return writer.framed()
  }

  /// Reads a request back (the server's side; used by the tests to check the encoding).
  public static func decode(_ reader: inout JuteReader) throws -> (xid: Int32, request: Self) {
    let xid = try reader.int("xid")
    let type = try reader.int("type")
    guard let opCode = ZooKeeperProtocol.OpCode(rawValue: type) else {
      throw JuteError.tooLong(field: "type", length: Int(type))
    }
    switch opCode {
    case .exists, .getData, .getChildren, .getChildren2:
      let path = try reader.string("path") ?? ""
      let watch = try reader.bool("watch")
      let request: Self =
        switch opCode {
        case .exists: .exists(path: path, watch: watch)
        case .getData: .getData(path: path, watch: watch)
        case .getChildren: .getChildren(path: path, watch: watch)
        default: .getChildren2(path: path, watch: watch)
        }
      return (xid, request)
    case .setWatches:
      return (
        xid,
        .setWatches(
          relativeZxid: try reader.long("relativeZxid"),
          data: try reader.strings("dataWatches") ?? [],
          exist: try reader.strings("existWatches") ?? [],
          child: try reader.strings("childWatches") ?? [])
      )
    case .ping: return (xid, .ping)
    case .closeSession: return (xid, .closeSession)
    }
  }
}
