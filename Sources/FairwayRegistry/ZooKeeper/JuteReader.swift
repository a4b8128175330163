import NIOCore

/// Reads jute (ZooKeeper's record format) from a buffer: big-endian ints and longs, one-byte
/// booleans, int32-length-prefixed buffers and strings (-1 = null), int32-counted vectors.
///
/// Every length is checked against `maxLength` and against what is left in the buffer before
/// anything is allocated, so a hostile or damaged frame costs nothing but an error.
public struct JuteReader {
  public private(set) var buffer: ByteBuffer
  /// Longest buffer or string, and largest vector count, accepted.
  public let maxLength: Int

  public init(_ buffer: ByteBuffer, maxLength: Int = 16 * 1024 * 1024) {
    self.buffer = buffer
    self.maxLength = maxLength
  }

  /// Bytes not yet read.
  public var remaining: Int { buffer.readableBytes }

  public mutating func int(_ field: String) throws -> Int32 {
    guard let value = buffer.readInteger(as: Int32.self) else {
      throw JuteError.truncated(field: field)
    }
    return value
  }

  public mutating func long(_ field: String) throws -> Int64 {
    guard let value = buffer.readInteger(as: Int64.self) else {
      throw JuteError.truncated(field: field)
    }
    return value
  }

  public mutating func bool(_ field: String) throws -> Bool {
    guard let value = buffer.readInteger(as: UInt8.self) else {
      throw JuteError.truncated(field: field)
    }
    return value != 0
  }

  /// A length-prefixed byte buffer; nil for jute's null (-1).
  public mutating func bytes(_ field: String) throws -> [UInt8]? {
    guard let length = try self.length(field, elementSize: 1) else { return nil }
    guard let bytes = buffer.readBytes(length: length) else {
      throw JuteError.truncated(field: field)
    }
    return bytes
  }

  /// A length-prefixed UTF-8 string; nil for jute's null (-1).
  public mutating func string(_ field: String) throws -> String? {
    guard let length = try self.length(field, elementSize: 1) else { return nil }
    guard let view = buffer.readSlice(length: length) else {
      throw JuteError.truncated(field: field)
    }
    guard let text = view.getString(at: view.readerIndex, length: length),
      text.utf8.count == length
    else { throw JuteError.invalidUTF8(field: field) }
    return text
  }

  /// A counted vector of strings; nil for jute's null (-1).
  public mutating func strings(_ field: String) throws -> [String]? {
    // Each element takes at least its 4-byte length.
    guard let count = try self.length(field, elementSize: 4) else { return nil }
    var values: [String] = []
    values.reserveCapacity(count)
    for index in 0..<count {
      values.append(try string("\(field)[\(index)]") ?? "")
    }
    return values
  }

  /// A length or count: nil for -1, checked against the bound and the bytes left.
  private mutating func length(_ field: String, elementSize: Int) throws -> Int? {
    let raw = try int(field)
    if raw == -1 { return nil }
    guard raw >= 0 else { throw JuteError.negativeLength(field: field, length: raw) }
    let length = Int(raw)
    guard length <= maxLength, length * elementSize <= buffer.readableBytes else {
      if length * elementSize > buffer.readableBytes, length <= maxLength {
        throw JuteError.truncated(field: field)
      }
      throw JuteError.tooLong(field: field, length: length)
    }
    return length
  }
}
