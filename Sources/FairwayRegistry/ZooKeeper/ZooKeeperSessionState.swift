/// The client's connection and session lifecycle as a value: each input returns what the
/// driver must do next, so every path (refused connection, expired session, lost connection,
/// close) is testable without a socket.
///
/// A session outlives connections: after a lost connection the client resumes it (same id and
/// password, last zxid seen) on the next server, backing off exponentially up to `maxBackoff`.
/// The server answers a resume of an expired session with timeout 0: the session and its
/// watches are gone, and the client starts a new one at once.
public struct ZooKeeperSessionState: Sendable {
  public struct Session: Equatable, Sendable {
    public var id: Int64
    public var password: [UInt8]
    public var timeoutMs: Int32
  }

  public enum Phase: Equatable, Sendable {
    case idle
    /// A connection (and handshake) to `servers[server]` is under way.
    case connecting(server: Int)
    case connected(server: Int)
    /// Waiting before the next attempt.
    case backingOff
    case closed
  }

  public enum Action: Equatable, Sendable {
    /// Open a connection to the server and send the request as the first frame.
    case connect(ZooKeeperEndpoint, ZooKeeperConnectRequest)
    /// The handshake succeeded; with `newSession` every watch and ephemeral state of an
    /// earlier session is gone (read everything again).
    case established(newSession: Bool, timeoutMs: Int32)
    /// The session resumed has expired; then `retry()` starts a new one.
    case expired
    /// Sleep, then call `retry()`.
    case wait(Duration)
    /// Closed: stop.
    case stop
  }

  public let servers: [ZooKeeperEndpoint]
  public let requestedTimeoutMs: Int32
  public let baseBackoff: Duration
  public let maxBackoff: Duration
  public private(set) var phase: Phase = .idle
  public private(set) var session: Session?
  /// Highest zxid seen in a reply: sent on resume so a server behind us refuses the session.
  public private(set) var lastZxid: Int64 = 0
  /// Failed attempts since the last established connection.
  public private(set) var failures = 0
  private var nextServer = 0

  public init(
    servers: [ZooKeeperEndpoint], requestedTimeoutMs: Int32,
    baseBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(5)
  ) {
    self.servers = servers
    self.requestedTimeoutMs = requestedTimeoutMs
    self.baseBackoff = baseBackoff
    self.maxBackoff = maxBackoff
  }

  public mutating func start() -> Action {
    guard phase == .idle else { return phase == .closed ? .stop : .wait(.zero) }
    return connectNext()
  }

  /// The connection could not be opened or the handshake failed.
  public mutating func connectFailed() -> Action {
    guard case .connecting = phase else { return phase == .closed ? .stop : .wait(.zero) }
    return backOff()
  }

  /// The server answered the handshake.
  public mutating func handshake(_ response: ZooKeeperConnectResponse) -> Action {
    guard case .connecting(let server) = phase else {
      return phase == .closed ? .stop : .wait(.zero)
    }
    guard response.timeoutMs > 0 else {
      // The session we asked to resume is gone.
      session = nil
      phase = .backingOff
      return .expired
    }
    let newSession = session?.id != response.sessionID
    session = Session(
      id: response.sessionID, password: response.password, timeoutMs: response.timeoutMs)
    failures = 0
    phase = .connected(server: server)
    return .established(newSession: newSession, timeoutMs: response.timeoutMs)
  }

  /// A reply carried `zxid`.
  public mutating func saw(zxid: Int64) {
    if zxid > lastZxid { lastZxid = zxid }
  }

  /// The established connection ended (closed by the peer, read timeout, error).
  public mutating func connectionLost() -> Action {
    guard case .connected = phase else { return phase == .closed ? .stop : .wait(.zero) }
    return backOff()
  }

  /// The wait asked for is over (or the expiry was reported): try the next server.
  public mutating func retry() -> Action {
    guard phase == .backingOff else { return phase == .closed ? .stop : .wait(.zero) }
    return connectNext()
  }

  public mutating func close() -> Action {
    phase = .closed
    return .stop
  }

  /// How long to wait after `failures` failed attempts: base doubling per failure, capped.
  public static func backoff(failures: Int, base: Duration, max: Duration) -> Duration {
    guard failures > 0 else { return .zero }
    let exponent = Swift.min(failures - 1, 20)
    let delay = base * (1 << exponent)
    return delay < max ? delay : max
  }

  private mutating func backOff() -> Action {
    failures += 1
    phase = .backingOff
    return .wait(Self.backoff(failures: failures, base: baseBackoff, max: maxBackoff))
  }

  private mutating func connectNext() -> Action {
    guard !servers.isEmpty else {
      phase = .closed
      return .stop
    }
    let server = nextServer % servers.count
    nextServer = (server + 1) % servers.count
    phase = .connecting(server: server)
    let request = ZooKeeperConnectRequest(
      lastZxidSeen: lastZxid, timeoutMs: requestedTimeoutMs,
      sessionID: session?.id ?? 0, password: session?.password ?? ZooKeeperProtocol.emptyPassword)
    return .connect(servers[server], request)
  }
}
