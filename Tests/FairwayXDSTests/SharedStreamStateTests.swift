import FairwayProto
import FairwayResources
import Foundation
import GRPCNIOTransportHTTP2
import SwiftProtobuf
import Testing

@testable import FairwayXDS

/// What streams share instead of holding privately: the translator's set as the base of what
/// was sent, subscription sets, and decoded ACK name lists.
@Suite struct SharedStreamStateTests {
  static func resource(_ name: String, _ payload: String) -> EncodedResource {
    EncodedResource(name: name, type: .endpoint, bytes: Array(payload.utf8))
  }

  static func plainVersions(_ names: VersionedNames) -> [String: String] {
    var versions: [String: String] = [:]
    for name in names.names { versions[name] = names[name] }
    return versions
  }

  @Test func rebasedNamesBehaveLikeAPrivateMap() {
    let resources = (0..<20).map { Self.resource("c\($0)", "v\($0)") }
    let set = ResourceSet(type: .endpoint, resources: resources)
    var shared = VersionedNames()
    var plain: [String: String] = [:]
    for resource in resources {
      shared[resource.name] = resource.version
      plain[resource.name] = resource.version
    }
    shared.rebase(onto: set)
    #expect(Self.plainVersions(shared) == plain)
    #expect(shared.setVersion == set.version)

    // Changes after the rebase: a new version, a removal, an addition, and back to the base.
    let changed = Self.resource("c3", "other")
    shared[changed.name] = changed.version
    plain[changed.name] = changed.version
    shared.removeValue(forKey: "c4")
    plain["c4"] = nil
    shared["extra"] = "x"
    plain["extra"] = "x"
    #expect(Self.plainVersions(shared) == plain)
    #expect(shared.count == plain.count)
    #expect(shared.setVersion == ContentHash.setVersion(plain))
    #expect(shared["c4"] == nil)

    shared["c3"] = resources[3].version
    shared["c4"] = resources[4].version
    shared["extra"] = nil
    #expect(shared.setVersion == set.version)
    #expect(shared == VersionedNames(resources))

    shared.filter { $0 != "c0" && $0 != "c1" }
    #expect(shared.count == 18 && shared["c0"] == nil && shared["c2"] == resources[2].version)
  }

  /// Streams that held the previous translation's set exactly share one change to the next.
  @Test func aSetsChangeSinceAnotherIsWhatAStreamHoldingItLacks() {
    let old = ResourceSet(
      type: .endpoint, resources: (0..<6).map { Self.resource("c\($0)", "v\($0)") })
    let next = old.updating(
      [Self.resource("c2", "new"), Self.resource("c9", "v9")], removing: ["c4", "c0"])
    let change = next.changes(since: old)
    #expect(change.updated.map(\.name) == ["c2", "c9"])
    #expect(change.removed == ["c0", "c4"])
    // The same answer for the next stream that asks, and nothing since itself.
    #expect(next.changes(since: old) == change)
    let none = next.changes(since: next)
    #expect(none.updated.isEmpty && none.removed.isEmpty)

    var held = VersionedNames(holding: old)
    #expect(held.heldSet == old)
    held.record(sent: change.updated, removed: change.removed, from: next)
    #expect(held.heldSet == next)
    held["c1"] = "private"
    #expect(held.heldSet == nil)
  }

  @Test func rebaseNeedsExactlyTheSameMembers() {
    let resources = (0..<5).map { Self.resource("c\($0)", "v\($0)") }
    let set = ResourceSet(type: .endpoint, resources: resources)
    var partial = VersionedNames(resources.dropLast())
    partial.rebase(onto: set)
    #expect(partial.count == 4 && partial["c4"] == nil)
    var stale = VersionedNames(resources)
    stale["c1"] = "old"
    stale.rebase(onto: set)
    #expect(stale["c1"] == "old")
  }

  /// A SotW EDS stream that holds everything available ends up pointing at the shared set,
  /// and an endpoint push keeps it there.
  @Test func sotwStreamHoldsTheSharedSetAfterAFullResponse() {
    var state = SotWStreamState(controlPlaneIdentifier: "test")
    let names = (0..<40).map { "outbound|80||svc-\($0).ns.svc.cluster.local" }
    let available = ResourceSet(type: .endpoint, resources: names.map { Fixtures.endpoints($0) })
    _ = state.receive(Fixtures.sotwRequest(.endpoint, names: names), now: Date())
    let first = state.response(
      for: .endpoint, available: available, force: false, limit: nil, now: Date())
    #expect(first?.resources.count == 40)
    #expect(state.types[.endpoint]?.sent == VersionedNames(available.byName.values))
    #expect(state.types[.endpoint]?.status.subscribed.sorted() == names.sorted())

    var next = available
    next.insert(Fixtures.endpoints(names[7], port: 81))
    let update = state.response(
      for: .endpoint, available: next, force: false, limit: [names[7]], now: Date())
    #expect(update?.resources.map(\.name) == [names[7]])
    #expect(state.types[.endpoint]?.status.sentVersion == next.version)
  }

  /// A whole-set response built around the set's shared `resources` field is byte for byte
  /// the response built from the resources one by one.
  @Test func wholeSetResponseEqualsTheResourceByResourceOne() throws {
    let set = ResourceSet(
      type: .cluster, resources: (0..<30).reversed().map { Fixtures.cluster("c\($0)") })
    let controlPlane = ResponseEncoder.controlPlane(identifier: "test")
    let shared = ResponseEncoder.stateOfTheWorld(
      version: "v1", wholeSet: set, nonce: "7", controlPlane: controlPlane)
    let single = ResponseEncoder.stateOfTheWorld(
      version: "v1", resources: set.names.compactMap { set[$0] }, type: .cluster, nonce: "7",
      controlPlane: controlPlane)
    #expect(shared.bytes == single.bytes)
    let decoded = try Envoy_Service_Discovery_V3_DiscoveryResponse(serializedBytes: shared.bytes)
    #expect(decoded.resources.count == 30 && decoded.nonce == "7")
    #expect(set.discoveryResourcesField == set.discoveryResourcesField)
  }

  @Test func subscriptionSetsAreSharedAndDropTheWildcard() {
    let names = (0..<32).map { "cluster-\($0)" }
    let one = SubscriptionSets.shared.set(of: names, droppingWildcard: false)
    let two = SubscriptionSets.shared.set(of: names, droppingWildcard: true)
    #expect(one == Set(names) && two == Set(names))
    let starred = SubscriptionSets.shared.set(of: ["*"] + names, droppingWildcard: true)
    #expect(starred == Set(names))
    #expect(SubscriptionSets.shared.set(of: ["*", "a"], droppingWildcard: false) == ["*", "a"])
  }

  static func encodedRequest(names: [String], nonce: String) throws -> [UInt8] {
    var request = Envoy_Service_Discovery_V3_DiscoveryRequest()
    request.typeURL = XDSResourceType.endpoint.typeURL
    request.resourceNames = names
    request.responseNonce = nonce
    return try request.serializedBytes()
  }

  @Test func ackNameListsAreDecodedOnceAndShared() throws {
    let lists = ResourceNameLists()
    let deserializer = DiscoveryRequestDeserializer(
      maxBytes: 1 << 20, maxNames: 100_000, lists: lists)
    let names = (0..<500).map { "outbound|8080||svc-\($0).bench.svc.cluster.local" }
    let first = try deserializer.deserialize(
      GRPCNIOTransportBytes(try Self.encodedRequest(names: names, nonce: "1")))
    let second = try deserializer.deserialize(
      GRPCNIOTransportBytes(try Self.encodedRequest(names: names, nonce: "2")))
    #expect(first.resourceNames == names && second.responseNonce == "2")
    let sameStorage = first.resourceNames.withUnsafeBufferPointer { a in
      second.resourceNames.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress }
    }
    #expect(sameStorage, "the second ACK reuses the first one's decoded array")

    // Lists that differ only between the sampled words still decode to their own names.
    var other = names
    other[250] = "outbound|8080||svc-X50.bench.svc.cluster.local"
    let third = try deserializer.deserialize(
      GRPCNIOTransportBytes(try Self.encodedRequest(names: other, nonce: "3")))
    #expect(third.resourceNames == other)
  }

  @Test func namesSplitAroundOtherFieldsAndMalformedInput() throws {
    let deserializer = DiscoveryRequestDeserializer(
      maxBytes: 1 << 20, maxNames: 100_000, lists: ResourceNameLists())
    // names, then type_url (4), then more names: two runs, joined in order.
    var bytes = try Self.encodedRequest(names: ["a", "b"], nonce: "")
    var tail = Envoy_Service_Discovery_V3_DiscoveryRequest()
    tail.resourceNames = ["c"]
    bytes += try tail.serializedBytes()
    let request = try deserializer.deserialize(GRPCNIOTransportBytes(bytes))
    #expect(request.resourceNames == ["a", "b", "c"])
    #expect(request.typeURL == XDSResourceType.endpoint.typeURL)

    #expect(throws: (any Error).self) {
      _ = try deserializer.deserialize(GRPCNIOTransportBytes([0x1a, 0x7f, 0x61]))
    }
  }
}
