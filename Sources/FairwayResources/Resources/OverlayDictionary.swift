/// A dictionary that is cheap to copy and then change in a few keys: a base shared with the
/// copies it came from, plus this copy's own changes on top.
///
/// A WorkloadEntry push derives the next translation from the previous one, which streams are
/// still reading. With plain dictionaries the first write to each table copied all of it, so an
/// O(1) change cost O(mesh): 100,000 endpoints copied to move one. Here a write lands in the
/// overlay; the overlay is folded into a fresh base only once it has grown to a fraction of the
/// base, so the copying is paid once per that many changes.
package struct OverlayDictionary<Key: Hashable & Sendable, Value: Sendable>: Sendable {
  private var base: [Key: Value]
  /// `.some(nil)` records a removal.
  private var changes: [Key: Value?] = [:]
  /// Number of keys with a value.
  package private(set) var count: Int

  /// Starts with `base` as the shared layer and no changes.
  package init(_ base: [Key: Value] = [:]) {
    self.base = base
    count = base.count
  }

  /// The value for `key`; setting nil removes it. Writes go to this copy's overlay.
  package subscript(key: Key) -> Value? {
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

  /// Sets `value` for `key`; the value it replaces, if any.
  @discardableResult
  package mutating func updateValue(_ value: Value, forKey key: Key) -> Value? {
    let old = self[key]
    self[key] = value
    return old
  }

  /// Removes `key`; the value it had, if any.
  @discardableResult
  package mutating func removeValue(forKey key: Key) -> Value? {
    let old = self[key]
    if old != nil { self[key] = nil }
    return old
  }

  /// Adds the entries of `entries` whose keys have no value yet. Many at once (a cache filled
  /// by a full build) go straight into the base, as a fold would put them, so copies taken
  /// afterwards do not each copy them out of the overlay on their first write.
  package mutating func addMissing(_ entries: [Key: Value]) {
    let missing = entries.filter { self[$0.key] == nil }
    guard missing.count > Swift.max(256, base.count / 8) else {
      for (key, value) in missing { self[key] = value }
      return
    }
    fold()
    base.merge(missing) { current, _ in current }
    count += missing.count
  }

  /// Every key with a value: the overlay's, then the base's not overridden.
  package var keys: [Key] { map(\.key) }

  /// Every value, in the same order as `keys`.
  package var values: [Value] { map(\.value) }

  /// True when no key has a value.
  package var isEmpty: Bool { count == 0 }

  private mutating func foldIfLarge() {
    guard changes.count > Swift.max(256, base.count / 8) else { return }
    fold()
  }

  private mutating func fold() {
    for (key, value) in changes { base[key] = value }
    changes = [:]
  }
}

extension OverlayDictionary: Sequence {
  /// The overlay's entries, then the base's that the overlay does not override.
  package struct Iterator: IteratorProtocol {
    fileprivate var overlay: [Key: Value?].Iterator
    fileprivate var underlying: [Key: Value].Iterator
    fileprivate let changes: [Key: Value?]

    package mutating func next() -> (key: Key, value: Value)? {
      while let (key, value) = overlay.next() {
        if let value { return (key, value) }
      }
      while let entry = underlying.next() {
        if changes.isEmpty || changes[entry.key] == nil { return entry }
      }
      return nil
    }
  }

  package func makeIterator() -> Iterator {
    Iterator(overlay: changes.makeIterator(), underlying: base.makeIterator(), changes: changes)
  }

  package var underestimatedCount: Int { count }
}

extension OverlayDictionary: ExpressibleByDictionaryLiteral {
  package init(dictionaryLiteral elements: (Key, Value)...) {
    self.init(Dictionary(elements) { _, last in last })
  }
}

extension OverlayDictionary: Equatable where Value: Equatable {
  package static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.count == rhs.count && lhs.allSatisfy { rhs[$0.key] == $0.value }
  }
}
