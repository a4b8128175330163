/// Why a ZooKeeper call failed.
public enum ZooKeeperClientError: Error, Equatable, Sendable, CustomStringConvertible {
  /// No session is connected right now (the client is reconnecting).
  case notConnected
  /// The connection ended before the answer came.
  case connectionLost
  /// The node does not exist.
  case noNode(path: String)
  /// Another error code from the server (`KeeperException.Code`).
  case server(code: Int32, path: String)
  /// The answer could not be decoded.
  case badReply(String)

  public var description: String {
    switch self {
    case .notConnected: "not connected to ZooKeeper"
    case .connectionLost: "connection to ZooKeeper lost"
    case .noNode(let path): "no node \(path)"
    case .server(let code, let path): "ZooKeeper error \(code) on \(path)"
    case .badReply(let detail): "bad reply from ZooKeeper: \(detail)"
    }
  }
}
