import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Closes admin connections that hold a descriptor without making progress: idle ones,
/// ones trickling a request head (slowloris), ones trickling a body. Sits after the HTTP
/// codec; a small handler it puts first in the pipeline reports raw bytes, so "a request
/// started" is known before its head is complete. Also closes the connection after a
/// response marked `Connection: close` (a 413 whose body was left unread).
final class AdminConnectionDeadlines: ChannelDuplexHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPRequestPart
  typealias InboundOut = HTTPRequestPart
  typealias OutboundIn = HTTPResponsePart
  typealias OutboundOut = HTTPResponsePart

  /// Fired by `ByteWatcher` when bytes arrive.
  struct BytesArrived {}

  /// Reports every read of raw bytes, then passes them on.
  final class ByteWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      context.fireUserInboundEventTriggered(BytesArrived())
      context.fireChannelRead(data)
    }
  }

  private var phase: AdminConnectionPhase
  private var timer: Scheduled<Void>?
  /// Tells a firing timer whether it is still the current one.
  private var generation = 0
  private var closeAfterResponse = false

  init(idleTimeout: Duration, headerTimeout: Duration, requestTimeout: Duration) {
    phase = AdminConnectionPhase(
      idleTimeout: idleTimeout, headerTimeout: headerTimeout, requestTimeout: requestTimeout)
  }

  func handlerAdded(context: ChannelHandlerContext) {
    try? context.pipeline.syncOperations.addHandler(ByteWatcher(), position: .first)
    if context.channel.isActive { perform(phase.activated(), context: context) }
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    perform(.cancel, context: context)
  }

  func channelActive(context: ChannelHandlerContext) {
    perform(phase.activated(), context: context)
    context.fireChannelActive()
  }

  func channelInactive(context: ChannelHandlerContext) {
    perform(.cancel, context: context)
    context.fireChannelInactive()
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if event is BytesArrived {
      perform(phase.bytesArrived(), context: context)
    } else {
      context.fireUserInboundEventTriggered(event)
    }
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head: perform(phase.headRead(), context: context)
    case .body: break
    case .end: perform(phase.requestEnded(), context: context)
    }
    context.fireChannelRead(data)
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    switch unwrapOutboundIn(data) {
    case .head(let head):
      if head.headerFields[.connection]?.lowercased() == "close" { closeAfterResponse = true }
      context.write(data, promise: promise)
    case .body:
      context.write(data, promise: promise)
    case .end:
      perform(phase.responseEnded(), context: context)
      if closeAfterResponse {
        context.writeAndFlush(data, promise: promise)
        context.close(promise: nil)
      } else {
        context.write(data, promise: promise)
      }
    }
  }

  private func perform(_ action: AdminConnectionPhase.Action, context: ChannelHandlerContext) {
    switch action {
    case .none:
      return
    case .cancel:
      timer?.cancel()
      timer = nil
      generation += 1
    case .schedule(let duration):
      timer?.cancel()
      generation += 1
      let current = generation
      timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(duration)) {
        [self] in
        guard current == self.generation else { return }
        self.timer = nil
        if self.phase.shouldCloseOnTimeout() { context.close(promise: nil) }
      }
    }
  }
}
