import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Just enough protobuf wire format for the load generator: it walks top-level fields of a
/// message without decoding anything it does not need, because the client shares the two cores
/// with the server it measures.
enum Wire {
  /// One field of a message: its number, and for length-delimited fields the byte range.
  struct Field {
    var number: Int
    var wireType: Int
    var varint: UInt64
    var range: Range<Int>
  }

  /// Calls `body` for every top-level field in `bytes[range]`; stops quietly at malformed input.
  static func forEachField(
    _ bytes: UnsafeRawBufferPointer, in range: Range<Int>, _ body: (Field) -> Void
  ) {
    var index = range.lowerBound
    let end = range.upperBound
    while index < end {
      guard let key = readVarint(bytes, &index, end) else { return }
      let number = Int(key >> 3)
      let wireType = Int(key & 7)
      switch wireType {
      case 0:
        guard let value = readVarint(bytes, &index, end) else { return }
        body(Field(number: number, wireType: 0, varint: value, range: index..<index))
      case 1:
        index += 8
      case 2:
        guard let length = readVarint(bytes, &index, end), index + Int(length) <= end else {
          return
        }
        let start = index
        index += Int(length)
        body(Field(number: number, wireType: 2, varint: 0, range: start..<index))
      case 5:
        index += 4
      default:
        return
      }
    }
  }

  static func readVarint(_ bytes: UnsafeRawBufferPointer, _ index: inout Int, _ end: Int)
    -> UInt64?
  {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while index < end, shift < 64 {
      let byte = bytes[index]
      index += 1
      result |= UInt64(byte & 0x7f) << shift
      if byte & 0x80 == 0 { return result }
      shift += 7
    }
    return nil
  }

  static func string(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
    String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
  }

  /// The first string field `number` of the message in `range`, if any.
  static func firstString(_ bytes: UnsafeRawBufferPointer, in range: Range<Int>, field number: Int)
    -> String?
  {
    var found: String?
    forEachField(bytes, in: range) { field in
      if found == nil, field.number == number, field.wireType == 2 {
        found = string(bytes, field.range)
      }
    }
    return found
  }

  /// Whether `needle` occurs in `bytes`. glibc's `memmem` (vectorised): a route configuration
  /// is hundreds of KiB, and a Boyer-Moore-Horspool loop in Swift over it was a fifth of the
  /// load generator's CPU during VirtualService pushes, taken from the server it measures.
  static func contains(_ bytes: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, let base = bytes.baseAddress, bytes.count >= needle.count else {
      return false
    }
    return needle.withUnsafeBytes { needleBytes in
      memmem(base, bytes.count, needleBytes.baseAddress, needle.count) != nil
    }
  }

  private typealias MemmemFunction =
    @convention(c) (UnsafeRawPointer?, Int, UnsafeRawPointer?, Int) -> UnsafeMutableRawPointer?

  /// glibc exports `memmem`, but Swift's Glibc module does not declare it (it is a GNU
  /// extension), so it is looked up once by name.
  private static let memmem: MemmemFunction = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "memmem") else {
      fatalError("memmem not found in the C library")
    }
    return unsafeBitCast(symbol, to: MemmemFunction.self)
  }()

  // MARK: writing

  static func appendVarint(_ value: UInt64, to buffer: inout [UInt8]) {
    var value = value
    while value >= 0x80 {
      buffer.append(UInt8(value & 0x7f) | 0x80)
      value >>= 7
    }
    buffer.append(UInt8(value))
  }

  static func appendBytes(_ number: Int, _ bytes: some Collection<UInt8>, to buffer: inout [UInt8])
  {
    appendVarint(UInt64(number << 3 | 2), to: &buffer)
    appendVarint(UInt64(bytes.count), to: &buffer)
    buffer.append(contentsOf: bytes)
  }

  static func appendString(_ number: Int, _ text: String, to buffer: inout [UInt8]) {
    appendBytes(number, Array(text.utf8), to: &buffer)
  }
}
