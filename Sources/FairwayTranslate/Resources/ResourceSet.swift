/// The resources of one type a proxy should have, by name.
public struct ResourceSet: Sendable, Equatable {
  public let type: XDSResourceType
  public private(set) var byName: [String: EncodedResource]
  /// The set version once computed, shared by every copy of this value: thousands of streams
  /// hold the same translator set, and each would otherwise hash all of it on every push.
  private var versionMemo = VersionMemo()

  public init(type: XDSResourceType, resources: [EncodedResource] = []) {
    self.type = type
    var byName: [String: EncodedResource] = [:]
    byName.reserveCapacity(resources.count)
    for resource in resources { byName[resource.name] = resource }
    self.byName = byName
  }

  public var names: [String] { byName.keys.sorted() }
  public var count: Int { byName.count }
  public var isEmpty: Bool { byName.isEmpty }
  public subscript(name: String) -> EncodedResource? { byName[name] }

  /// The version of the whole set (`ContentHash.setVersion`), computed once per set value.
  public var version: String {
    versionMemo.value { ContentHash.setVersion(of: byName.values) }
  }

  public mutating func insert(_ resource: EncodedResource) {
    byName[resource.name] = resource
    versionMemo = VersionMemo()
  }

  public static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.type == rhs.type && lhs.byName == rhs.byName
  }
}
