/// A dictionary that is cheap to copy and then change in a few keys: a base shared with the
/// copies it came from, plus this copy's own changes on top.
///
/// A WorkloadEntry push derives the next translation from the previous one, which streams are
/// still reading. With plain dictionaries the first write to each table copied all of it, so an
/// O(1) change cost O(mesh): 100,000 endpoints copied to move one. Here a write lands in the
/// overlay; the overlay is folded into a fresh base only once it has grown to a fraction of the
/// base, so the copying is paid once per that many changes.
struct OverlayDictionary<Key: Hashable & Sendable, Value: Sendable>: Sendable {
  private var base: [Key: Value]
  /// `.some(nil)` records a removal.
  private var changes: [Key: Value?] = [:]
  /// Number of keys with a value.
  private(set) var count: Int

  init(_ base: [Key: Value] = [:]) {
    self.base = base
    count = base.count
  }

  subscript(key: Key) -> Value? {
    get {
      if !changes.isEmpty, let changed = changes[key] { return changed }
      return base[key]
    }
    set {
      let had = self[key] != nil
      count += (newValue == nil ? 0 : 1) - (had ? 1 : 0)
      changes[key] = .some(newValue)
      foldIfLarge()
    }
  }

  @discardableResult
  mutating func removeValue(forKey key: Key) -> Value? {
    let old = self[key]
    if old != nil { self[key] = nil }
    return old
  }

  /// Every key with a value: the overlay's, then the base's not overridden.
  var keys: [Key] { map(\.key) }

  private mutating func foldIfLarge() {
    guard changes.count > Swift.max(256, base.count / 8) else { return }
    for (key, value) in changes { base[key] = value }
    changes = [:]
  }
}

extension OverlayDictionary: Sequence {
  func makeIterator() -> AnyIterator<(key: Key, value: Value)> {
    var overlay = changes.makeIterator()
    var underlying = base.makeIterator()
    let changes = changes
    return AnyIterator {
      while let (key, value) = overlay.next() {
        if let value { return (key, value) }
      }
      while let entry = underlying.next() {
        if changes[entry.key] == nil { return entry }
      }
      return nil
    }
  }
}
