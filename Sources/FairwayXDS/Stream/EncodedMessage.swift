/// A response already in wire format, written to the stream as is by `PassThroughSerializer`.
public struct EncodedMessage: Sendable, Equatable {
  public let bytes: [UInt8]

  public init(bytes: [UInt8]) {
    self.bytes = bytes
  }
}
