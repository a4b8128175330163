import NIOCore

/// Writes jute records (see `JuteReader` for the format).
public struct JuteWriter {
  public private(set) var buffer: ByteBuffer

  public init(capacity: Int = 256) {
    buffer = ByteBufferAllocator().buffer(capacity: capacity)
  }

  public mutating func int(_ value: Int32) { buffer.writeInteger(value) }
  public mutating func long(_ value: Int64) { buffer.writeInteger(value) }
  public mutating func bool(_ value: Bool) { buffer.writeInteger(UInt8(value ? 1 : 0)) }

  public mutating func bytes(_ value: [UInt8]?) {
    guard let value else { return int(-1) }
    int(Int32(truncatingIfNeeded: value.count))
    buffer.writeBytes(value)
  }

  public mutating func string(_ value: String?) {
    guard let value else { return int(-1) }
    int(Int32(truncatingIfNeeded: value.utf8.count))
    buffer.writeString(value)
  }

  public mutating func strings(_ values: [String]?) {
    guard let values else { return int(-1) }
    int(Int32(truncatingIfNeeded: values.count))
    for value in values { string(value) }
  }

  /// The record as one frame: its int32 length, then the record.
  public func framed() -> ByteBuffer {
    var frame = ByteBufferAllocator().buffer(capacity: buffer.readableBytes + 4)
    frame.writeInteger(Int32(truncatingIfNeeded: buffer.readableBytes))
    frame.writeImmutableBuffer(buffer)
    return frame
  }
}
