import Testing

@testable import FairwayTranslate

@Suite struct ChunkedArrayTests {
  /// Sizes around chunk boundaries read back in order, by index and by iteration.
  @Test(arguments: [0, 1, 63, 64, 65, 128, 129, 1_000])
  func holdsTheElementsInOrder(count: Int) {
    let elements = (0..<count).map { "e\($0)" }
    let chunked = ChunkedArray(elements)
    #expect(chunked.count == count)
    #expect(Array(chunked) == elements)
    #expect(chunked.indices == elements.indices)
    for position in elements.indices { #expect(chunked[position] == elements[position]) }
    #expect(chunked.enumerated().map(\.offset) == Array(elements.indices))
  }

  /// Writes to a copy, in every chunk, never show through in the array it came from, nor in
  /// copies taken between the writes; each agrees with a plain array at every step.
  @Test func writesStayInTheCopyTheyAreMadeTo() {
    let original = (0..<300).map { $0 }
    let base = ChunkedArray(original)
    var model = original
    var copy = base
    var snapshots: [(ChunkedArray<Int>, [Int])] = []
    for step in 0..<600 {
      let position = (step * 37) % original.count
      copy[position] = -step
      model[position] = -step
      #expect(copy[position] == model[position])
      if step % 100 == 0 { snapshots.append((copy, model)) }
    }
    #expect(Array(copy) == model)
    #expect(Array(base) == original)
    for (snapshot, expected) in snapshots { #expect(Array(snapshot) == expected) }
  }

  @Test func equalityFollowsTheElements() {
    var a: ChunkedArray = [1, 2, 3]
    let b = ChunkedArray([1, 2, 3])
    #expect(a == b)
    a[2] = 4
    #expect(a != b)
    #expect(ChunkedArray<Int>([]) == [])
    #expect(ChunkedArray([1, 2]) != b)
  }
}
