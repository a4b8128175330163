/// A dictionary that is cheap to copy and then change in a few keys: a base shared with the
/// copies it came from, plus this copy's own changes on top.
///
/// A WorkloadEntry push derives the next translation from the previous one, which streams are
/// still reading. With plain dictionaries the first write to each table copied all of it, so an
/// O(1) change cost O(mesh): 100,000 endpoints copied to move one. Here a write lands in the
/// overlay; the overlay is folded into a fresh base only once it has grown to a fraction of the
/// base, so the copying is paid once per that many changes.
///
/// Public and inlinable, unlike the other helpers here (`package`): it runs in the translator's
/// and the streams' hot loops, where only a copy specialized in the calling module is fast
/// (unspecialized, every lookup fetched generic metadata: the translation benchmark lost 20-30%
/// when it moved out of the translator).
@frozen
public struct OverlayDictionary<Key: Hashable & Sendable, Value: Sendable>: Sendable {
  @usableFromInline var base: [Key: Value]
  /// `.some(nil)` records a removal.
  @usableFromInline var changes: [Key: Value?] = [:]
  @usableFromInline var keyCount: Int

  /// Number of keys with a value.
  @inlinable public var count: Int { keyCount }

  /// Starts with `base` as the shared layer and no changes.
  @inlinable
  public init(_ base: [Key: Value] = [:]) {
    self.base = base
    keyCount = base.count
  }

  /// The value for `key`; setting nil removes it. Writes go to this copy's overlay.
  @inlinable
  public subscript(key: Key) -> Value? {
    get {
      if !changes.isEmpty, let changed = changes[key] { return changed }
      return base[key]
    }
    set {
      let had = self[key] != nil
      keyCount += (newValue == nil ? 0 : 1) - (had ? 1 : 0)
      changes[key] = .some(newValue)
      foldIfLarge()
    }
  }

  /// Sets `value` for `key`; the value it replaces, if any.
  @inlinable @discardableResult
  public mutating func updateValue(_ value: Value, forKey key: Key) -> Value? {
    let old = self[key]
    self[key] = value
    return old
  }

  /// Removes `key`; the value it had, if any.
  @inlinable @discardableResult
  public mutating func removeValue(forKey key: Key) -> Value? {
    let old = self[key]
    if old != nil { self[key] = nil }
    return old
  }

  /// Adds the entries of `entries` whose keys have no value yet. Many at once (a cache filled
  /// by a full build) go straight into the base, as a fold would put them, so copies taken
  /// afterwards do not each copy them out of the overlay on their first write.
  @inlinable
  public mutating func addMissing(_ entries: [Key: Value]) {
    let missing = entries.filter { self[$0.key] == nil }
    guard missing.count > Swift.max(256, base.count / 8) else {
      for (key, value) in missing { self[key] = value }
      return
    }
    fold()
    base.merge(missing) { current, _ in current }
    keyCount += missing.count
  }

  /// Every key with a value: the overlay's, then the base's not overridden.
  @inlinable
  public var keys: [Key] { map { $0.key } }

  /// Every value, in the same order as `keys`.
  @inlinable
  public var values: [Value] { map { $0.value } }

  /// True when no key has a value.
  @inlinable
  public var isEmpty: Bool { count == 0 }

  @usableFromInline
  mutating func foldIfLarge() {
    guard changes.count > Swift.max(256, base.count / 8) else { return }
    fold()
  }

  @usableFromInline
  mutating func fold() {
    for (key, value) in changes { base[key] = value }
    changes = [:]
  }
}

extension OverlayDictionary: Sequence {
  /// The overlay's entries, then the base's that the overlay does not override.
  @frozen
  public struct Iterator: IteratorProtocol {
    @usableFromInline var overlay: [Key: Value?].Iterator
    @usableFromInline var underlying: [Key: Value].Iterator
    @usableFromInline let changes: [Key: Value?]

    @inlinable
    init(
      overlay: [Key: Value?].Iterator, underlying: [Key: Value].Iterator, changes: [Key: Value?]
    ) {
      self.overlay = overlay
      self.underlying = underlying
      self.changes = changes
    }

    @inlinable
    public mutating func next() -> (key: Key, value: Value)? {
      while let (key, value) = overlay.next() {
        if let value { return (key, value) }
      }
      while let entry = underlying.next() {
        if changes.isEmpty || changes[entry.key] == nil { return entry }
      }
      return nil
    }
  }

  @inlinable
  public func makeIterator() -> Iterator {
    Iterator(overlay: changes.makeIterator(), underlying: base.makeIterator(), changes: changes)
  }

  @inlinable
  public var underestimatedCount: Int { count }
}

extension OverlayDictionary: ExpressibleByDictionaryLiteral {
  @inlinable
  public init(dictionaryLiteral elements: (Key, Value)...) {
    self.init(Dictionary(elements) { _, last in last })
  }
}

extension OverlayDictionary: Equatable where Value: Equatable {
  @inlinable
  public static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.count == rhs.count && lhs.allSatisfy { rhs[$0.key] == $0.value }
  }
}
