import FairwayResources
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

  /// Adding what is missing, in batches small (through the overlay) and large (into the base),
  /// mixed with writes and removals, keeps existing values and agrees with a plain dictionary;
  /// copies taken before a batch do not see it.
  @Test func addMissingKeepsExistingValuesAndSparesEarlierCopies() {
    var model: [Int: Int] = [:]
    var overlay = OverlayDictionary<Int, Int>()
    for round in 0..<12 {
      let before = (overlay, model)
      // Rounds alternate 10 and 2,000 keys; each batch overlaps keys already present.
      let size = round.isMultiple(of: 2) ? 10 : 2_000
      let batch = Dictionary(
        uniqueKeysWithValues: (0..<size).map { (round * 700 + $0, -round) })
      overlay.addMissing(batch)
      model.merge(batch) { current, _ in current }
      overlay[round] = round
      model[round] = round
      #expect(overlay.removeValue(forKey: round * 3) == model.removeValue(forKey: round * 3))
      #expect(overlay.count == model.count)
      #expect(Dictionary(uniqueKeysWithValues: overlay.map { ($0.key, $0.value) }) == model)
      #expect(
        Dictionary(uniqueKeysWithValues: before.0.map { ($0.key, $0.value) }) == before.1)
    }
  }
}
