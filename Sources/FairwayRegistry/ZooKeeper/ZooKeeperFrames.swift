import NIOCore

/// ZooKeeper frames: an int32 length, then that many bytes. Bounded, so a broken or hostile
/// peer cannot make the client buffer without limit.
public enum ZooKeeperFrames {
  public enum FrameError: Error, Equatable, Sendable {
    /// A frame announced more than the bound (or a negative length).
    case badLength(Int32, max: Int)
  }

  /// Takes the next complete frame's payload off `buffer`, or nil (and leaves `buffer` as it
  /// was) when the frame is not complete yet.
  public static func next(from buffer: inout ByteBuffer, maxLength: Int) throws -> ByteBuffer? {
    guard let length = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else {
      return nil
    }
    guard length >= 0, Int(length) <= maxLength else {
      throw FrameError.badLength(length, max: maxLength)
    }
    guard buffer.readableBytes >= 4 + Int(length) else { return nil }
    buffer.moveReaderIndex(forwardBy: 4)
    return buffer.readSlice(length: Int(length))
  }
}

/// `ZooKeeperFrames` as a NIO decoder.
struct ZooKeeperFrameDecoder: ByteToMessageDecoder {
  typealias InboundOut = ByteBuffer
  let maxLength: Int

  mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws
    -> DecodingState
  {
    guard let frame = try ZooKeeperFrames.next(from: &buffer, maxLength: maxLength) else {
      return .needMoreData
    }
    context.fireChannelRead(Self.wrapInboundOut(frame))
    return .continue
  }
}
