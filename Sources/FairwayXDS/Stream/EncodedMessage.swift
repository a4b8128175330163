/// A response already in wire format, written to the stream as is by `PassThroughSerializer`.
///
/// Kept as segments in wire order so that a large resource (a route configuration of hundreds
/// of KiB, the same for every sidecar of a namespace) is not copied into a per-stream buffer
/// first: the serializer copies each segment once, straight into the transport's buffer.
package struct EncodedMessage: Sendable, Equatable {
  let segments: [[UInt8]]
  /// Total size in bytes.
  package let count: Int

  package init(bytes: [UInt8]) {
    segments = [bytes]
    count = bytes.count
  }

  init(segments: [[UInt8]]) {
    self.segments = segments
    count = segments.reduce(0) { $0 + $1.count }
  }

  /// The whole message in one array (assembled on demand when kept in segments).
  package var bytes: [UInt8] {
    if segments.count == 1 { return segments[0] }
    var joined: [UInt8] = []
    joined.reserveCapacity(count)
    for segment in segments { joined.append(contentsOf: segment) }
    return joined
  }

  package static func == (lhs: EncodedMessage, rhs: EncodedMessage) -> Bool {
    lhs.count == rhs.count && lhs.bytes == rhs.bytes
  }
}
