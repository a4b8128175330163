/// Why a jute record could not be read: ZooKeeper's wire format is length-prefixed
/// big-endian fields, so every failure is a short read or a length out of bounds.
public enum JuteError: Error, Equatable, Sendable {
  /// The record ended before `field`.
  case truncated(field: String)
  /// A length or count below -1 (-1 is jute's null).
  case negativeLength(field: String, length: Int32)
  /// A length or count larger than the bound or than the bytes left.
  case tooLong(field: String, length: Int)
  /// A string that is not UTF-8.
  case invalidUTF8(field: String)
}
