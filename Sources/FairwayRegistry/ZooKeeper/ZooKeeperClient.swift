import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Fairway's ZooKeeper client over SwiftNIO: one session kept alive across connections and
/// servers, reads with watches, events on `events`.
///
/// `run()` drives `ZooKeeperSessionState`: connect, handshake, ping every third of the
/// session timeout, close a connection silent for two thirds of it, back off and resume the
/// session elsewhere, start a new session when the server says the old one expired. Calls made
/// while no connection is up fail with `notConnected`; a `.connected` event says when to read
/// again (the registry reads everything again then, which also sets its watches again).
public final class ZooKeeperClient: Sendable {
  public struct Configuration: Sendable {
    public var servers: [ZooKeeperEndpoint]
    public var sessionTimeout: Duration
    public var connectTimeout: Duration
    public var baseBackoff: Duration
    public var maxBackoff: Duration
    /// Largest frame accepted from the server.
    public var maxFrameBytes: Int

    public init(
      servers: [ZooKeeperEndpoint], sessionTimeout: Duration = .seconds(10),
      connectTimeout: Duration = .seconds(2), baseBackoff: Duration = .milliseconds(100),
      maxBackoff: Duration = .seconds(5), maxFrameBytes: Int = 16 * 1024 * 1024
    ) {
      self.servers = servers
      self.sessionTimeout = sessionTimeout
      self.connectTimeout = connectTimeout
      self.baseBackoff = baseBackoff
      self.maxBackoff = maxBackoff
      self.maxFrameBytes = maxFrameBytes
    }
  }

  public let configuration: Configuration
  /// Connection, session and watch events, in order. Finishes when `run()` returns.
  public let events: AsyncStream<ZooKeeperEvent>
  private let eventSink: AsyncStream<ZooKeeperEvent>.Continuation
  private let current = Mutex<ZooKeeperConnection?>(nil)
  private let machine: Mutex<ZooKeeperSessionState>
  private let group: any EventLoopGroup
  private let logger: Logger

  public init(
    _ configuration: Configuration,
    group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
    logger: Logger = Logger(label: "fairway.zookeeper")
  ) {
    self.configuration = configuration
    (events, eventSink) = AsyncStream.makeStream(of: ZooKeeperEvent.self)
    let timeoutMs = Int32(clamping: configuration.sessionTimeout.components.seconds * 1000)
    machine = Mutex(
      ZooKeeperSessionState(
        servers: configuration.servers, requestedTimeoutMs: max(timeoutMs, 1),
        baseBackoff: configuration.baseBackoff, maxBackoff: configuration.maxBackoff))
    self.group = group
    self.logger = logger
  }

  /// True while a session is connected.
  public var isConnected: Bool { current.withLock { $0 != nil } }

  /// The connected session's id, if any.
  public var sessionID: Int64? {
    guard isConnected else { return nil }
    return machine.withLock { $0.session?.id }
  }

  /// Connects and keeps the session until the task is cancelled.
  public func run() async {
    defer { eventSink.finish() }
    var action = machine.withLock { $0.start() }
    var established: ZooKeeperConnection?
    while true {
      if Task.isCancelled { action = machine.withLock { $0.close() } }
      switch action {
      case .stop:
        established?.close()
        return
      case .wait(let delay):
        do {
          try await Task.sleep(for: delay)
          action = machine.withLock { $0.retry() }
        } catch {
          action = machine.withLock { $0.close() }
        }
      case .expired:
        logger.warning("ZooKeeper session expired; starting a new one")
        eventSink.yield(.expired)
        action = machine.withLock { $0.retry() }
      case .connect(let endpoint, let request):
        do {
          let connection = try await open(endpoint)
          let response = try await connection.handshake(request)
          action = machine.withLock { $0.handshake(response) }
          if case .established = action {
            established = connection
          } else {
            connection.close()
          }
        } catch {
          logger.debug(
            "ZooKeeper connect failed", metadata: ["server": "\(endpoint)", "error": "\(error)"])
          action = machine.withLock { $0.connectFailed() }
        }
      case .established(let newSession, let timeoutMs):
        guard let connection = established else {
          action = machine.withLock { $0.connectionLost() }
          continue
        }
        logger.info(
          "ZooKeeper session connected",
          metadata: [
            "server": "\(connection.channel.remoteAddress.map { "\($0)" } ?? "?")",
            "newSession": "\(newSession)", "timeoutMs": "\(timeoutMs)",
          ])
        current.withLock { $0 = connection }
        eventSink.yield(.connected(newSession: newSession))
        await keepAlive(connection, timeoutMs: timeoutMs)
        current.withLock { $0 = nil }
        established = nil
        connection.close()
        let zxid = connection.maxZxid
        action = machine.withLock {
          $0.saw(zxid: zxid)
          return $0.connectionLost()
        }
        logger.notice("ZooKeeper connection lost; reconnecting")
        eventSink.yield(.disconnected)
      }
    }
  }

  /// The children of `path`; with `watch`, a NodeChildrenChanged (or NodeDeleted) will follow
  /// the next change.
  public func getChildren(_ path: String, watch: Bool) async throws -> [String] {
    let reply = try await send(.getChildren(path: path, watch: watch))
    try Self.check(reply.header, path: path)
    var reader = JuteReader(reply.body, maxLength: configuration.maxFrameBytes)
    do {
      return try reader.strings("children") ?? []
    } catch {
      throw ZooKeeperClientError.badReply("\(error)")
    }
  }

  /// The node's Stat, or nil when it does not exist; with `watch`, NodeCreated / NodeDeleted /
  /// NodeDataChanged follows (the watch is set in both cases).
  public func exists(_ path: String, watch: Bool) async throws -> ZooKeeperStat? {
    let reply = try await send(.exists(path: path, watch: watch))
    if reply.header.error == ZooKeeperProtocol.ErrorCode.noNode { return nil }
    try Self.check(reply.header, path: path)
    var reader = JuteReader(reply.body, maxLength: configuration.maxFrameBytes)
    do {
      return try ZooKeeperStat.decode(&reader)
    } catch {
      throw ZooKeeperClientError.badReply("\(error)")
    }
  }

  private func send(_ request: ZooKeeperRequest) async throws -> ZooKeeperConnection.Reply {
    guard let connection = current.withLock({ $0 }) else { throw ZooKeeperClientError.notConnected }
    return try await connection.request(request)
  }

  private static func check(_ header: ZooKeeperReplyHeader, path: String) throws {
    switch header.error {
    case ZooKeeperProtocol.ErrorCode.ok: return
    case ZooKeeperProtocol.ErrorCode.noNode: throw ZooKeeperClientError.noNode(path: path)
    default: throw ZooKeeperClientError.server(code: header.error, path: path)
    }
  }

  private func open(_ endpoint: ZooKeeperEndpoint) async throws -> ZooKeeperConnection {
    let maxFrameBytes = configuration.maxFrameBytes
    let events = eventSink
    let connectTimeout = configuration.connectTimeout
    let connection = try await ClientBootstrap(group: group)
      .connectTimeout(connectTimeout.timeAmount)
      .channelOption(.socketOption(.tcp_nodelay), value: 1)
      .connect(host: endpoint.host, port: endpoint.port) { channel in
        channel.eventLoop.makeCompletedFuture {
          let connection = ZooKeeperConnection(
            channel: channel, maxFrameBytes: maxFrameBytes, events: events)
          try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(ZooKeeperFrameDecoder(maxLength: maxFrameBytes)))
          try channel.pipeline.syncOperations.addHandler(
            ZooKeeperInboundHandler(connection: connection))
          return connection
        }
      }
    // A server that accepts but never answers the handshake: give up after the timeout.
    let channel = connection.channel
    channel.eventLoop.scheduleTask(in: connectTimeout.timeAmount) { [weak connection] in
      if let connection, !connection.handshakeCompleted { channel.close(promise: nil) }
    }
    return connection
  }

  /// Pings until the connection ends, closing it when the server stays silent too long.
  private func keepAlive(_ connection: ZooKeeperConnection, timeoutMs: Int32) async {
    let interval = Duration.milliseconds(max(Int(timeoutMs) / 3, 50))
    let readTimeout = Duration.milliseconds(max(Int(timeoutMs) * 2 / 3, 100))
    await withTaskCancellationHandler {
      await withTaskGroup(of: Void.self) { group in
        group.addTask { try? await connection.channel.closeFuture.get() }
        group.addTask {
          while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            if connection.silence > readTimeout {
              connection.close()
              return
            }
            connection.ping()
          }
        }
        await group.next()
        group.cancelAll()
      }
    } onCancel: {
      connection.close()
    }
  }
}

extension Duration {
  /// The same span as NIO's `TimeAmount`.
  var timeAmount: TimeAmount {
    let (seconds, attoseconds) = components
    return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
  }
}
