import FairwayResources
import Testing

@testable import FairwayXDS

/// CDS and LDS versions come from the translator's shared set; EDS and RDS ones from each
/// stream's `VersionedNames`. Both must be the same function of the (name, version) pairs, or
/// a stream would see a new version where nothing changed.
@Suite struct SetVersionTests {
  static func resource(_ name: String, _ payload: String) -> EncodedResource {
    EncodedResource(name: name, type: .cluster, bytes: Array(payload.utf8))
  }

  @Test func sharedSetAndPerStreamMapAgree() {
    let resources = (0..<50).map { Self.resource("outbound|80||svc-\($0)", "payload \($0)") }
    let set = ResourceSet(type: .cluster, resources: resources)
    var names = VersionedNames()
    for resource in resources.reversed() { names[resource.name] = resource.version }
    #expect(set.version == names.setVersion)
    #expect(
      set.version
        == ContentHash.setVersion(
          Dictionary(uniqueKeysWithValues: resources.map { ($0.name, $0.version) })))
  }

  @Test func versionChangesWithAnyMemberAndCopiesShareTheMemo() {
    let resources = (0..<5).map { Self.resource("c\($0)", "v\($0)") }
    let set = ResourceSet(type: .cluster, resources: resources)
    let copy = set
    let before = set.version
    #expect(copy.version == before)
    var changed = set
    changed.insert(Self.resource("c2", "other"))
    #expect(changed.version != before)
    var grown = set
    grown.insert(Self.resource("c9", "v9"))
    #expect(grown.version != before && grown.version != changed.version)
    #expect(set.version == before, "a copy's insert leaves the original's version alone")
    // Moving a payload between names changes the version (pairs, not just the bag of versions).
    let swapped = ResourceSet(
      type: .cluster, resources: [Self.resource("a", "1"), Self.resource("b", "2")])
    let crossed = ResourceSet(
      type: .cluster, resources: [Self.resource("a", "2"), Self.resource("b", "1")])
    #expect(swapped.version != crossed.version)
  }
}
