/// The resources of one type a proxy should have, by name.
public struct ResourceSet: Sendable, Equatable {
  public let type: XDSResourceType
  public private(set) var byName: [String: EncodedResource]

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

  /// A version for the whole set: a hash over the sorted (name, version) pairs.
  public var version: String {
    ContentHash.setVersion(byName.mapValues(\.version))
  }

  public mutating func insert(_ resource: EncodedResource) {
    byName[resource.name] = resource
  }
}
