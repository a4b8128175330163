import NIOCore
import Synchronization

/// One TCP connection to a ZooKeeper server: the handshake, then requests matched to replies
/// by xid, watch notifications forwarded to the client's event stream. Frames arrive on the
/// channel's event loop; callers wait on continuations resumed from there.
final class ZooKeeperConnection: Sendable {
  typealias Reply = (header: ZooKeeperReplyHeader, body: ByteBuffer)

  private struct State {
    var handshake: CheckedContinuation<ZooKeeperConnectResponse, any Error>?
    var handshakeDone = false
    var pending: [Int32: CheckedContinuation<Reply, any Error>] = [:]
    var nextXid: Int32 = 1
    var closed = false
    var lastReceived = ContinuousClock.now
    var maxZxid: Int64 = 0
  }

  let channel: any Channel
  let maxFrameBytes: Int
  private let events: AsyncStream<ZooKeeperEvent>.Continuation
  private let state = Mutex(State())

  init(channel: any Channel, maxFrameBytes: Int, events: AsyncStream<ZooKeeperEvent>.Continuation) {
    self.channel = channel
    self.maxFrameBytes = maxFrameBytes
    self.events = events
  }

  /// Highest zxid any reply carried.
  var maxZxid: Int64 { state.withLock { $0.maxZxid } }

  /// True once the server answered the handshake.
  var handshakeCompleted: Bool { state.withLock { $0.handshakeDone } }

  /// Time since the last frame from the server.
  var silence: Duration { ContinuousClock.now - state.withLock { $0.lastReceived } }

  /// Sends the connect request and waits for the answer (or the connection's end).
  func handshake(_ request: ZooKeeperConnectRequest) async throws -> ZooKeeperConnectResponse {
    try await withCheckedThrowingContinuation { continuation in
      let open = state.withLock { state -> Bool in
        guard !state.closed else { return false }
        state.handshake = continuation
        return true
      }
      guard open else { return continuation.resume(throwing: ZooKeeperClientError.connectionLost) }
      channel.writeAndFlush(request.frame(), promise: nil)
    }
  }

  /// Sends a request and waits for its reply.
  func request(_ request: ZooKeeperRequest) async throws -> Reply {
    try await withCheckedThrowingContinuation { continuation in
      let xid = state.withLock { state -> Int32? in
        guard !state.closed else { return nil }
        let xid = state.nextXid
        state.nextXid = xid == Int32.max ? 1 : xid + 1
        state.pending[xid] = continuation
        return xid
      }
      guard let xid else {
        return continuation.resume(throwing: ZooKeeperClientError.connectionLost)
      }
      channel.writeAndFlush(request.frame(xid: xid), promise: nil)
    }
  }

  func ping() {
    channel.writeAndFlush(
      ZooKeeperRequest.ping.frame(xid: ZooKeeperProtocol.Xid.ping), promise: nil)
  }

  func close() {
    channel.close(promise: nil)
  }

  /// One frame from the server (on the event loop).
  func received(_ frame: ByteBuffer) {
    var reader = JuteReader(frame, maxLength: maxFrameBytes)
    do {
      let handshake = state.withLock {
        state -> CheckedContinuation<ZooKeeperConnectResponse, any Error>?? in
        state.lastReceived = .now
        guard !state.handshakeDone else { return .none }
        state.handshakeDone = true
        defer { state.handshake = nil }
        return .some(state.handshake)
      }
      if case .some(let continuation) = handshake {
        let response = try ZooKeeperConnectResponse.decode(&reader)
        continuation?.resume(returning: response)
        return
      }
      let header = try ZooKeeperReplyHeader.decode(&reader)
      switch header.xid {
      case ZooKeeperProtocol.Xid.notification:
        events.yield(.watch(try ZooKeeperWatcherEvent.decode(&reader)))
      case ZooKeeperProtocol.Xid.ping, ZooKeeperProtocol.Xid.setWatches:
        break
      default:
        let continuation = state.withLock { state in
          if header.zxid > state.maxZxid { state.maxZxid = header.zxid }
          return state.pending.removeValue(forKey: header.xid)
        }
        continuation?.resume(returning: (header, reader.buffer))
      }
    } catch {
      // A frame we cannot read: the stream is out of step, start over on a new connection.
      close()
    }
  }

  /// The channel went inactive: every waiter fails.
  func closed() {
    let (handshake, pending) = state.withLock { state in
      state.closed = true
      defer {
        state.handshake = nil
        state.pending = [:]
      }
      return (state.handshake, state.pending)
    }
    handshake?.resume(throwing: ZooKeeperClientError.connectionLost)
    for continuation in pending.values {
      continuation.resume(throwing: ZooKeeperClientError.connectionLost)
    }
  }
}

/// Feeds a connection its frames and its end.
final class ZooKeeperInboundHandler: ChannelInboundHandler, Sendable {
  typealias InboundIn = ByteBuffer
  let connection: ZooKeeperConnection

  init(connection: ZooKeeperConnection) { self.connection = connection }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    connection.received(Self.unwrapInboundIn(data))
  }

  func channelInactive(context: ChannelHandlerContext) {
    connection.closed()
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    context.close(promise: nil)
  }
}
