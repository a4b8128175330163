/// The resources of one type a proxy should have, by name.
public struct ResourceSet: Sendable, Equatable {
  public let type: XDSResourceType
  /// An overlay: a WorkloadEntry push derives the next EDS set from the previous one in
  /// O(changed) (see `updating`).
  package private(set) var byName: OverlayDictionary<String, EncodedResource>
  /// The version, sorted members and encoded `resources` field once computed, shared by every
  /// copy of this value: thousands of streams hold the same translator set, and each would
  /// otherwise hash, sort and copy all of it on every push.
  private var memo = SetMemo()

  public init(type: XDSResourceType, resources: [EncodedResource] = []) {
    self.type = type
    var byName: [String: EncodedResource] = [:]
    byName.reserveCapacity(resources.count)
    for resource in resources { byName[resource.name] = resource }
    self.byName = OverlayDictionary(byName)
  }

  /// The names in order, sorted once per set value (thousands of streams are sent the same set).
  public var names: [String] { sorted.names }

  /// The members in name order: what a stream that takes the whole set is sent.
  public var sortedResources: [EncodedResource] { sorted.resources }

  /// The members named in `names`, in name order. When `names` cover about the whole set (a
  /// sidecar's EDS subscription), the set's own order filtered (sorted once for all streams,
  /// and the same array when every member is named); otherwise `names` sorted and looked up.
  public func sortedMembers(named names: Set<String>) -> [EncodedResource] {
    guard names.count * 2 >= count else { return names.sorted().compactMap { self[$0] } }
    let all = sortedResources
    return all.allSatisfy { names.contains($0.name) } ? all : all.filter { names.contains($0.name) }
  }

  private var sorted: SortedMembers {
    memo.sorted {
      let names = byName.keys.sorted()
      return SortedMembers(names: names, resources: names.compactMap { byName[$0] })
    }
  }
  public var count: Int { byName.count }
  public var isEmpty: Bool { byName.isEmpty }
  public subscript(name: String) -> EncodedResource? { byName[name] }

  /// The version of the whole set (`ContentHash.setVersion`), computed once per set value.
  public var version: String { memoized.version }

  /// `ContentHash.pairHash` summed over the members: with `count`, all a set version depends
  /// on, so a stream can tell in O(1) that what it holds is exactly this set.
  public var pairSum: UInt64 { memoized.pairSum }

  private var memoized: SetVersionValue {
    memo.version {
      let sum = ContentHash.pairSum(of: byName.values)
      return .init(pairSum: sum, version: ContentHash.setVersion(count: byName.count, pairSum: sum))
    }
  }

  /// Every member's packed `Any` in name order, as the repeated field `resources` (2) of a
  /// `DiscoveryResponse`. A stream sent the whole set (a sidecar's initial sync, every CDS
  /// response) needs exactly these bytes, so they are built once per set value and shared,
  /// not assembled again in a private buffer per stream.
  public var discoveryResourcesField: [UInt8] {
    memo.resourcesField {
      let sorted = sortedResources
      var field: [UInt8] = []
      field.reserveCapacity(sorted.reduce(0) { $0 + $1.anyBytes.count + 6 })
      for resource in sorted { ProtoWire.appendField(2, bytes: resource.anyBytes, to: &field) }
      return field
    }
  }

  /// Every member as a Delta `Resource` (version 1, packed Any 2, name 3) in name order, as
  /// the repeated field `resources` (2) of a `DeltaDiscoveryResponse`: what every Delta
  /// stream's first response of the type carries, built once per set value.
  public var deltaResourcesField: [UInt8] {
    memo.deltaResourcesField {
      let sorted = sortedResources
      var field: [UInt8] = []
      field.reserveCapacity(
        sorted.reduce(0) {
          $0 + $1.anyBytes.count + $1.name.utf8.count + $1.version.utf8.count + 16
        })
      for resource in sorted { ProtoWire.appendDeltaResource(resource, fieldNumber: 2, to: &field) }
      return field
    }
  }

  /// What a client holding exactly `old` must be told to hold this set: the members that are
  /// new or at another version, and the names gone, both in name order. Computed once per pair
  /// of sets: every stream that held the previous translation's shared set asks the same.
  public func changes(since old: ResourceSet) -> ResourceSetChange {
    memo.change(since: old.memo) {
      var updated: [EncodedResource] = []
      for resource in sortedResources where old[resource.name]?.version != resource.version {
        updated.append(resource)
      }
      let removed = old.names.filter { byName[$0] == nil }
      return ResourceSetChange(updated: updated, removed: removed)
    }
  }

  /// This set with `updated` members added or replaced and the `removed` names dropped. When
  /// this set's version is known, the new one is derived from its pair sum, touching only the
  /// members that changed instead of hashing every member again.
  public func updating(_ updated: [EncodedResource], removing removed: [String]) -> ResourceSet {
    // Unchanged: the same value, memo included (its sorted members and encoded fields).
    guard !updated.isEmpty || !removed.isEmpty else { return self }
    var next = self
    var sum = memo.knownVersion?.pairSum
    func drop(_ old: EncodedResource?) {
      guard let old, let known = sum else { return }
      sum = known &- ContentHash.pairHash(name: old.name, version: old.version)
    }
    for name in removed { drop(next.byName.removeValue(forKey: name)) }
    for resource in updated {
      drop(next.byName.updateValue(resource, forKey: resource.name))
      sum = sum.map { $0 &+ ContentHash.pairHash(name: resource.name, version: resource.version) }
    }
    next.memo = SetMemo(
      version: sum.map {
        .init(pairSum: $0, version: ContentHash.setVersion(count: next.byName.count, pairSum: $0))
      })
    return next
  }

  public mutating func insert(_ resource: EncodedResource) {
    byName[resource.name] = resource
    memo = SetMemo()
  }

  public static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.type == rhs.type && lhs.byName == rhs.byName
  }
}

/// The difference between two sets of one type, as `ResourceSet.changes(since:)` tells it.
public struct ResourceSetChange: Sendable, Equatable {
  /// Members added or at a new version, in name order.
  public let updated: [EncodedResource]
  /// Names no longer in the set, in name order.
  public let removed: [String]
}
