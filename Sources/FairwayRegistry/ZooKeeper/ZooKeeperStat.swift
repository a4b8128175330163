/// A znode's `Stat` (68 bytes in jute): what getChildren2 and exists answer with.
public struct ZooKeeperStat: Equatable, Sendable {
  public var czxid: Int64 = 0
  public var mzxid: Int64 = 0
  public var ctime: Int64 = 0
  public var mtime: Int64 = 0
  public var version: Int32 = 0
  public var cversion: Int32 = 0
  public var aversion: Int32 = 0
  /// The session owning the node when it is ephemeral, else 0.
  public var ephemeralOwner: Int64 = 0
  public var dataLength: Int32 = 0
  public var numChildren: Int32 = 0
  public var pzxid: Int64 = 0

  public init() {}

  public func encode(into writer: inout JuteWriter) {
    writer.long(czxid)
    writer.long(mzxid)
    writer.long(ctime)
    writer.long(mtime)
    writer.int(version)
    writer.int(cversion)
    writer.int(aversion)
    writer.long(ephemeralOwner)
    writer.int(dataLength)
    writer.int(numChildren)
    writer.long(pzxid)
  }

  public static func decode(_ reader: inout JuteReader) throws -> Self {
    var stat = Self()
    stat.czxid = try reader.long("czxid")
    stat.mzxid = try reader.long("mzxid")
    stat.ctime = try reader.long("ctime")
    stat.mtime = try reader.long("mtime")
    stat.version = try reader.int("version")
    stat.cversion = try reader.int("cversion")
    stat.aversion = try reader.int("aversion")
    stat.ephemeralOwner = try reader.long("ephemeralOwner")
    stat.dataLength = try reader.int("dataLength")
    stat.numChildren = try reader.int("numChildren")
    stat.pzxid = try reader.long("pzxid")
    return stat
  }
}
