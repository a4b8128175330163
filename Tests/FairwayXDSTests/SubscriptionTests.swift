import FairwayResources
import Testing

@testable import FairwayXDS

/// `Subscription`: the wildcard rules of the xDS protocol ("How the client specifies what
/// resources to return"), both protocol variants' operations, and the byte footprint.
@Suite struct SubscriptionTests {
  static let long = (0..<20).map { "outbound|80||svc-\($0).ns.svc.cluster.local" }

  @Test func sotwLegacyWildcardEndsOnceNamesWereSent() {
    // The protocol's own SotW example, step by step.
    var lds = Subscription(type: .listener)
    #expect(lds.replace(with: []) == true)
    #expect(lds.wildcard && lds.names.isEmpty)
    #expect(lds.replace(with: []) == false)
    #expect(lds.replace(with: ["*", "A"]) == true)
    #expect(lds.wildcard && lds.names == ["A"])
    #expect(lds.replace(with: ["A"]) == true)
    #expect(!lds.wildcard && lds.names == ["A"])
    // Empty again: no longer the legacy wildcard, but nothing at all.
    #expect(lds.replace(with: []) == true)
    #expect(!lds.wildcard && lds.names.isEmpty && lds.namesEverSent)
  }

  @Test func sotwStarIsAPlainNameWhereThereIsNoWildcard() {
    var eds = Subscription(type: .endpoint)
    _ = eds.replace(with: [])
    #expect(!eds.wildcard)
    _ = eds.replace(with: ["*"])
    #expect(!eds.wildcard && eds.names == ["*"])
  }

  @Test func sotwRepeatedListChangesNothingAndBytesFollowTheNames() {
    var rds = Subscription(type: .route)
    #expect(rds.replace(with: ["80", "9080"]) == true)
    #expect(rds.bytes == 6)
    // An ACK repeating the list: no change.
    #expect(rds.replace(with: ["80", "9080"]) == false)
    // The same names in another order: the set is the same, so no change either.
    #expect(rds.replace(with: ["9080", "80"]) == false)
    #expect(rds.replace(with: ["80"]) == true)
    #expect(rds.bytes == 2)
    // Long lists come from the shared table and give the same set as built by hand.
    #expect(rds.replace(with: Self.long) == true)
    #expect(rds.names == Set(Self.long))
    #expect(rds.bytes == Self.long.reduce(0) { $0 + $1.utf8.count })
  }

  @Test func deltaImplicitAndExplicitWildcard() {
    // The protocol's own incremental example.
    var cds = Subscription(type: .cluster)
    _ = cds.update(subscribe: [], unsubscribe: [], first: true)
    #expect(cds.wildcard)
    _ = cds.update(subscribe: ["A"], unsubscribe: [], first: false)
    #expect(cds.wildcard && cds.names == ["A"])
    _ = cds.update(subscribe: [], unsubscribe: ["*"], first: false)
    #expect(!cds.wildcard && cds.names == ["A"])
    let last = cds.update(subscribe: [], unsubscribe: ["A"], first: false)
    #expect(!cds.wildcard && cds.names.isEmpty && last.dropped == ["A"])
    // A first request naming resources is not a wildcard, and an empty one later does not
    // make it one.
    var named = Subscription(type: .cluster)
    _ = named.update(subscribe: ["A"], unsubscribe: [], first: true)
    _ = named.update(subscribe: [], unsubscribe: [], first: false)
    #expect(!named.wildcard)
    // EDS has no implicit wildcard.
    var eds = Subscription(type: .endpoint)
    _ = eds.update(subscribe: [], unsubscribe: [], first: true)
    #expect(!eds.wildcard)
  }

  @Test func deltaDropsOnlyNamesNoWildcardStillCovers() {
    var cds = Subscription(type: .cluster)
    _ = cds.update(subscribe: ["*", "A", "B", "C"], unsubscribe: [], first: true)
    #expect(cds.wildcard)
    // Still wildcard: the client keeps A through it.
    let keep = cds.update(subscribe: [], unsubscribe: ["A"], first: false)
    #expect(keep.dropped.isEmpty)
    // Checked in request order: B goes before the wildcard does, C after.
    let change = cds.update(subscribe: [], unsubscribe: ["B", "*", "C"], first: false)
    #expect(change.dropped == ["C"])
    #expect(!cds.wildcard && cds.names.isEmpty && cds.bytes == 0)
  }

  @Test func deltaBytesCountEachNameOnceAndLongListsAreBuiltAtOnce() {
    var eds = Subscription(type: .endpoint)
    let first = eds.update(subscribe: ["ab", "ab", "cde"], unsubscribe: ["zz"], first: true)
    #expect(first.builtAtOnce == nil)
    #expect(eds.bytes == 5 && eds.names == ["ab", "cde"])
    _ = eds.update(subscribe: [], unsubscribe: ["ab", "ab"], first: false)
    #expect(eds.bytes == 3)

    var atOnce = Subscription(type: .endpoint)
    let built = atOnce.update(subscribe: Self.long, unsubscribe: [], first: true)
    #expect(built.builtAtOnce == Set(Self.long))
    var byHand = Subscription(type: .endpoint)
    for name in Self.long { _ = byHand.update(subscribe: [name], unsubscribe: [], first: false) }
    #expect(atOnce.names == byHand.names && atOnce.bytes == byHand.bytes)
    // A second long list adds to the subscription: not built at once.
    let more = atOnce.update(subscribe: Self.long.map { $0 + "x" }, unsubscribe: [], first: false)
    #expect(more.builtAtOnce == nil && atOnce.names.count == 40)
  }
}
