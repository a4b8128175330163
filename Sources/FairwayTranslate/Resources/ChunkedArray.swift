/// An array that is cheap to copy and then change in a few positions: elements live in chunks
/// shared with the copies they came from, and a write copies only the list of chunks and the
/// one chunk it lands in.
///
/// A patched translation is a copy of the previous one with one service changed. With plain
/// arrays of services (and of their clusters) that copy retained every element, so the patch
/// cost O(services): a DestinationRule patch at 10,000 services spent half its time there.
/// Here it costs `count / 64` chunk references plus one chunk.
struct ChunkedArray<Element: Sendable>: Sendable, RandomAccessCollection, MutableCollection {
  private static var chunkShift: Int { 6 }
  private static var chunkMask: Int { (1 << chunkShift) - 1 }

  private var chunks: [[Element]]
  private(set) var count: Int

  /// The elements of `elements`, in order.
  init(_ elements: some Sequence<Element>) {
    var chunks: [[Element]] = []
    var chunk: [Element] = []
    chunk.reserveCapacity(1 << Self.chunkShift)
    var count = 0
    for element in elements {
      chunk.append(element)
      count += 1
      if chunk.count == 1 << Self.chunkShift {
        chunks.append(chunk)
        chunk.removeAll(keepingCapacity: true)
      }
    }
    if !chunk.isEmpty { chunks.append(chunk) }
    self.chunks = chunks
    self.count = count
  }

  var startIndex: Int { 0 }
  var endIndex: Int { count }

  subscript(position: Int) -> Element {
    get {
      precondition(position >= 0 && position < count, "index out of range")
      return chunks[position >> Self.chunkShift][position & Self.chunkMask]
    }
    set {
      precondition(position >= 0 && position < count, "index out of range")
      chunks[position >> Self.chunkShift][position & Self.chunkMask] = newValue
    }
  }
}

extension ChunkedArray: Equatable where Element: Equatable {
  static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.count == rhs.count && lhs.elementsEqual(rhs)
  }
}

extension ChunkedArray: ExpressibleByArrayLiteral {
  init(arrayLiteral elements: Element...) { self.init(elements) }
}
