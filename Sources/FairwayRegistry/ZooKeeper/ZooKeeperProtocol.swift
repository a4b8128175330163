/// Numbers of ZooKeeper's client protocol (`ZooDefs.OpCode`, `KeeperException.Code`,
/// `Watcher.Event`, the reserved xids of `ClientCnxn`), as Apache ZooKeeper 3.x defines them.
public enum ZooKeeperProtocol {
  /// Request types (`ZooDefs.OpCode`).
  public enum OpCode: Int32, Sendable {
    case exists = 3
    case getData = 4
    case getChildren = 8
    case ping = 11
    case getChildren2 = 12
    case setWatches = 101
    case closeSession = -11
  }

  /// xids the server and client reserve: everything else is a request's own xid.
  public enum Xid {
    /// A watch notification (`WatcherEvent` follows the reply header).
    public static let notification: Int32 = -1
    /// The answer to a ping.
    public static let ping: Int32 = -2
    /// The answer to SetWatches.
    public static let setWatches: Int32 = -8
  }

  /// Reply error codes (`KeeperException.Code`) the client acts on.
  public enum ErrorCode {
    public static let ok: Int32 = 0
    public static let noNode: Int32 = -101
    public static let sessionExpired: Int32 = -112
  }

  /// `Watcher.Event.EventType`.
  public enum EventType: Int32, Sendable {
    case none = -1
    case nodeCreated = 1
    case nodeDeleted = 2
    case nodeDataChanged = 3
    case nodeChildrenChanged = 4
  }

  /// `Watcher.Event.KeeperState` values that reach a client in notifications.
  public enum KeeperState {
    public static let disconnected: Int32 = 0
    public static let syncConnected: Int32 = 3
    public static let expired: Int32 = -112
  }

  /// The password of a session not yet established: 16 zero bytes.
  public static let emptyPassword = [UInt8](repeating: 0, count: 16)
}
