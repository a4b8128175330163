/// Identity of a stored config: kind, namespace and name.
///
/// Ordered by kind, then namespace, then name, which is the order snapshots and list
/// responses use.
public struct ConfigKey: Hashable, Sendable, Comparable, CustomStringConvertible {
  public var kind: ConfigKind
  public var namespace: String
  public var name: String

  public init(kind: ConfigKind, namespace: String, name: String) {
    self.kind = kind
    self.namespace = namespace
    self.name = name
  }

  public static func < (lhs: ConfigKey, rhs: ConfigKey) -> Bool {
    if lhs.kind != rhs.kind { return lhs.kind < rhs.kind }
    if lhs.namespace != rhs.namespace { return lhs.namespace < rhs.namespace }
    return lhs.name < rhs.name
  }

  /// `VirtualService default/reviews`.
  public var description: String { "\(kind.rawValue) \(namespace)/\(name)" }
}
