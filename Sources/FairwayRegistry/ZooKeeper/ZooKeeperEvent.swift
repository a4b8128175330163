/// What a `ZooKeeperClient` reports, in order, on `events`.
public enum ZooKeeperEvent: Equatable, Sendable {
  /// A session is usable; `newSession`: watches and reads of an earlier session are void.
  case connected(newSession: Bool)
  /// The connection ended; the client is reconnecting (what was read stays valid meanwhile).
  case disconnected
  /// The session resumed had expired on the server; a new one follows.
  case expired
  /// A watch fired (once: read again to set it again).
  case watch(ZooKeeperWatcherEvent)
}
