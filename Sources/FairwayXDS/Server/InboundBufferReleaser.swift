import NIOCore
import NIOHTTP2

/// Lets the transport's message deframer let go of a request's bytes once they are read.
///
/// grpc-swift-nio-transport's deframer keeps the buffer it last read from, fully consumed, until
/// the next DATA frame arrives. A sidecar's SotW ACK repeats every EDS name (60 KB at 1,000
/// services) and a synced sidecar then sends nothing for minutes, so each stream pinned one such
/// buffer: 128 MB at 2,000 sidecars. The deframer starts over when a frame arrives while it holds
/// no unread bytes, so an empty DATA frame after each real one replaces the spent buffer with an
/// empty one. While a message is still incomplete the empty frame adds nothing.
///
/// Sits in each HTTP/2 stream channel in front of gRPC's stream handler.
final class InboundBufferReleaser: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = HTTP2Frame.FramePayload
  typealias InboundOut = HTTP2Frame.FramePayload

  private static let emptyFrame = HTTP2Frame.FramePayload.data(
    .init(data: .byteBuffer(ByteBuffer()), endStream: false))

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let frame = unwrapInboundIn(data)
    context.fireChannelRead(data)
    guard case .data(let payload) = frame, !payload.endStream, payload.data.readableBytes > 0
    else { return }
    context.fireChannelRead(wrapInboundOut(Self.emptyFrame))
  }

  /// For the transport's stream-accept callback; runs on the stream channel's event loop.
  static func install(on channel: any Channel) -> EventLoopFuture<Void> {
    channel.eventLoop.makeCompletedFuture {
      try channel.pipeline.syncOperations.addHandler(InboundBufferReleaser(), position: .first)
    }
  }
}
