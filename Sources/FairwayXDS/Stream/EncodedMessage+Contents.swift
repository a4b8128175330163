extension EncodedMessage {
  /// The message's bytes as one sequence that copies itself segment by segment.
  ///
  /// The transport's bytes type can only be made from a sequence or zero-filled and then
  /// written; a route configuration response is hundreds of KiB per stream, and filling it
  /// with zeros first was a pass over fresh memory as long as the copy itself. NIO builds its
  /// buffer from a sequence through `_copyContents(initializing:)`, which this implements as
  /// one `memcpy` per segment.
  struct Contents: Sequence {
    let message: EncodedMessage

    var underestimatedCount: Int { message.count }

    func makeIterator() -> Iterator {
      Iterator(segments: message.segments)
    }

    func _copyContents(initializing buffer: UnsafeMutableBufferPointer<UInt8>)
      -> (Iterator, Int)
    {
      var written = 0
      var iterator = Iterator(segments: message.segments)
      for (index, segment) in message.segments.enumerated() {
        let room = buffer.count - written
        guard room > 0 else { break }
        let taken = Swift.min(room, segment.count)
        segment.withUnsafeBufferPointer { source in
          guard let from = source.baseAddress, let to = buffer.baseAddress else { return }
          (to + written).initialize(from: from, count: taken)
        }
        written += taken
        iterator = Iterator(segments: message.segments, segment: index, offset: taken)
      }
      return (iterator, written)
    }

    /// Walks the bytes not yet copied (none, once `_copyContents` filled a large enough buffer).
    struct Iterator: IteratorProtocol {
      let segments: [[UInt8]]
      var segment = 0
      var offset = 0

      mutating func next() -> UInt8? {
        while segment < segments.count {
          if offset < segments[segment].count {
            defer { offset += 1 }
            return segments[segment][offset]
          }
          segment += 1
          offset = 0
        }
        return nil
      }
    }
  }

  /// The bytes as a `Contents` sequence.
  var contents: Contents { Contents(message: self) }
}
