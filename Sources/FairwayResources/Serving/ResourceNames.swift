/// The names a stream asks a translation for, with their hash taken once.
///
/// A translation keys the sets it shares by them (every VHDS stream with the same subscription
/// holds the same virtual hosts), and a stream asks on every push. Hashing a set hashes every
/// name in it; a stream keeps its `ResourceNames` for as long as its subscription stays the
/// same, so the lookup on each push hashes one integer instead.
public struct ResourceNames: Sendable, Hashable, ExpressibleByArrayLiteral {
  public let set: Set<String>
  private let hash: Int

  public init(_ set: Set<String>) {
    self.set = set
    hash = set.hashValue
  }

  public init(arrayLiteral names: String...) {
    self.init(Set(names))
  }

  public static func == (lhs: ResourceNames, rhs: ResourceNames) -> Bool {
    lhs.hash == rhs.hash && lhs.set == rhs.set
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(hash)
  }
}
