import Testing

@testable import FairwayTranslate

@Suite struct OverlayDictionaryTests {
  /// Random writes and removals, through copies that keep sharing a base, agree with a plain
  /// dictionary at every step, across several folds of the overlay.
  @Test func behavesLikeADictionaryThroughCopiesAndFolds() {
    var generator = SystemRandomNumberGenerator()
    var model: [Int: Int] = Dictionary(uniqueKeysWithValues: (0..<3_000).map { ($0, $0) })
    var overlay = OverlayDictionary(model)
    var snapshots: [(OverlayDictionary<Int, Int>, [Int: Int])] = []
    for step in 0..<5_000 {
      let key = Int.random(in: 0..<4_000, using: &generator)
      if Bool.random(using: &generator) {
        model[key] = step
        overlay[key] = step
      } else {
        #expect(overlay.removeValue(forKey: key) == model.removeValue(forKey: key))
      }
      #expect(overlay[key] == model[key])
      #expect(overlay.count == model.count)
      if step % 500 == 0 { snapshots.append((overlay, model)) }
    }
    #expect(Dictionary(uniqueKeysWithValues: overlay.map { ($0.key, $0.value) }) == model)
    #expect(Set(overlay.keys) == Set(model.keys))
    // Earlier copies are unaffected by later writes to the one they were copied from.
    for (copy, expected) in snapshots {
      #expect(Dictionary(uniqueKeysWithValues: copy.map { ($0.key, $0.value) }) == expected)
    }
  }
}
