import FairwayProto
import FairwayResources
import Foundation
import GRPCNIOTransportHTTP2
import Testing

@testable import FairwayXDS

/// `DeltaStreamState` against a plain model of the Delta rules (XDS-NOTES §2), over random
/// subscriptions, unsubscriptions, reconnect versions, set changes, forced and limited pushes.
/// The state takes shortcuts (shared subscription sets, walking the set's sorted members, the
/// whole-set encoding, sharing the set it sent); the model takes none.
@Suite struct DeltaStreamStateModelTests {
  /// What the client holds and is owed, kept in plain collections.
  struct Model {
    var requested = false
    var wildcard = false
    var subscribed: Set<String> = []
    var held: [String: String] = [:]
    var pending: Set<String> = []
    var answeredFirst = false

    mutating func receive(
      _ type: XDSResourceType, subscribe: [String], unsubscribe: [String],
      initial: [String: String]
    ) {
      let isInitial = !requested
      if isInitial {
        requested = true
        wildcard = type.allowsWildcard && subscribe.isEmpty
        for (name, version) in initial { held[name] = version }
      }
      for name in subscribe {
        if name == "*" {
          wildcard = true
          continue
        }
        subscribed.insert(name)
        if !(isInitial && initial[name] != nil) { pending.insert(name) }
      }
      for name in unsubscribe {
        if name == "*" {
          wildcard = false
          continue
        }
        subscribed.remove(name)
        pending.remove(name)
        if !wildcard { held[name] = nil }
      }
    }

    mutating func response(available: ResourceSet, force: Bool, limit: Set<String>?)
      -> (sent: [String: String], order: [String], removed: [String])?
    {
      guard requested else { return nil }
      var scope = wildcard ? Set(available.names).union(held.keys) : subscribed
      if force {
        pending.formUnion(scope.filter { available[$0] != nil })
      } else if let limit {
        scope = limit.union(pending).filter { scope.contains($0) }
      }
      var sent: [String: String] = [:]
      var order: [String] = []
      var removed: [String] = []
      for name in scope.sorted() {
        let forced = pending.contains(name)
        if let resource = available[name] {
          if forced || held[name] != resource.version {
            sent[name] = resource.version
            order.append(name)
          }
        } else if forced || held[name] != nil {
          removed.append(name)
        }
      }
      pending.removeAll()
      if sent.isEmpty, removed.isEmpty, answeredFirst { return nil }
      answeredFirst = true
      for (name, version) in sent { held[name] = version }
      for name in removed { held[name] = nil }
      return (sent, order, removed)
    }
  }

  /// SplitMix64: the same sequence on every run.
  struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  static let pool = (0..<40).map { "outbound|80||svc-\($0).ns.svc.cluster.local" }

  static func resource(_ type: XDSResourceType, _ name: String, generation: Int) -> EncodedResource
  {
    type == .cluster
      ? Fixtures.cluster(name, timeout: Int64(generation + 1))
      : Fixtures.endpoints(name, port: UInt32(80 + generation))
  }

  static func randomSubset(_ count: Int, using rng: inout SeededGenerator) -> [String] {
    Array(pool.shuffled(using: &rng).prefix(count))
  }

  @Test(arguments: [XDSResourceType.cluster, .endpoint])
  func randomSequencesMatchTheModel(type: XDSResourceType) throws {
    var rng = SeededGenerator(state: type == .cluster ? 7 : 11)
    for _ in 0..<150 {
      var state = DeltaStreamState(controlPlaneIdentifier: "fw")
      var model = Model()
      var generations: [String: Int] = [:]
      for name in Self.pool where Bool.random(using: &rng) { generations[name] = 0 }
      func available() -> ResourceSet {
        ResourceSet(
          type: type,
          resources: generations.map { Self.resource(type, $0.key, generation: $0.value) })
      }
      for step in 0..<25 {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0..<3:
          // A request: often a long list (every shortcut), sometimes a few names, "*" or
          // unsubscriptions; at first, sometimes with versions the client already has.
          var subscribe =
            Bool.random(using: &rng)
            ? Self.randomSubset(Int.random(in: 16...40, using: &rng), using: &rng)
            : Self.randomSubset(Int.random(in: 0...4, using: &rng), using: &rng)
          if Int.random(in: 0..<8, using: &rng) == 0 { subscribe.insert("*", at: 0) }
          let unsubscribe =
            step > 0 && Bool.random(using: &rng)
            ? Self.randomSubset(Int.random(in: 1...10, using: &rng), using: &rng)
              + (Int.random(in: 0..<10, using: &rng) == 0 ? ["*"] : [])
            : []
          var initial: [String: String] = [:]
          if step == 0, Bool.random(using: &rng) {
            let current = available()
            for name in Self.randomSubset(12, using: &rng) {
              initial[name] =
                Bool.random(using: &rng) ? current[name]?.version ?? "gone" : "stale"
            }
          }
          _ = state.receive(
            Fixtures.deltaRequest(
              type, subscribe: subscribe, unsubscribe: unsubscribe, initial: initial),
            now: Date())
          model.receive(type, subscribe: subscribe, unsubscribe: unsubscribe, initial: initial)
          #expect(state.types[type]?.status.subscribed == model.subscribed)
        case 3..<5:
          // The mesh changes: a new version, a removal, an addition.
          for name in Self.randomSubset(Int.random(in: 1...6, using: &rng), using: &rng) {
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: generations[name] = nil
            default: generations[name, default: 0] += 1
            }
          }
        default:
          let force = Int.random(in: 0..<5, using: &rng) == 0
          let limit =
            Bool.random(using: &rng)
            ? Set(Self.randomSubset(Int.random(in: 0...5, using: &rng), using: &rng)) : nil
          let set = available()
          let expected = model.response(available: set, force: force, limit: limit)
          let outgoing = state.response(
            for: type, available: set, force: force, limit: limit, now: Date())
          let decoded = try Fixtures.decodeDelta(outgoing)
          #expect((decoded == nil) == (expected == nil))
          if let decoded, let expected {
            #expect(decoded.resources.map(\.name) == expected.order)
            #expect(decoded.resources.map(\.version) == expected.order.map { expected.sent[$0] })
            #expect(decoded.removedResources == expected.removed)
            #expect(decoded.systemVersionInfo == ContentHash.setVersion(model.held))
          }
          guard let holding = state.types[type]?.clientVersions else {
            #expect(!model.requested)
            continue
          }
          #expect(SharedStreamStateTests.plainVersions(holding) == model.held)
          #expect(holding.setVersion == ContentHash.setVersion(model.held))
        }
      }
    }
  }

  /// Two streams subscribing to the same long list, one at once and one name by name, end up
  /// with equal subscriptions, and the whole-set response is byte for byte the one built
  /// resource by resource.
  @Test func wholeSetResponseEqualsTheResourceByResourceOne() throws {
    let set = ResourceSet(
      type: .endpoint, resources: Self.pool.reversed().map { Fixtures.endpoints($0) })
    let controlPlane = ResponseEncoder.controlPlane(identifier: "fw")
    let whole = ResponseEncoder.delta(
      systemVersion: set.version, wholeSet: set, nonce: "3", controlPlane: controlPlane)
    let single = ResponseEncoder.delta(
      systemVersion: set.version, resources: set.sortedResources, removed: [], type: .endpoint,
      nonce: "3", controlPlane: controlPlane)
    #expect(whole.bytes == single.bytes)

    var atOnce = DeltaStreamState(controlPlaneIdentifier: "fw")
    _ = atOnce.receive(Fixtures.deltaRequest(.endpoint, subscribe: Self.pool), now: Date())
    var oneByOne = DeltaStreamState(controlPlaneIdentifier: "fw")
    for name in Self.pool {
      _ = oneByOne.receive(Fixtures.deltaRequest(.endpoint, subscribe: [name]), now: Date())
    }
    #expect(
      atOnce.types[.endpoint]?.subscription.names == oneByOne.types[.endpoint]?.subscription.names)
    let first = atOnce.response(
      for: .endpoint, available: set, force: false, limit: nil, now: Date())
    let decoded = try #require(try Fixtures.decodeDelta(first))
    #expect(decoded.resources.map(\.name) == Self.pool.sorted())
    #expect(atOnce.types[.endpoint]?.clientVersions == VersionedNames(holding: set))
  }

  /// The serializer writes a message kept in segments as the same bytes as the joined message,
  /// into the transport's own bytes type.
  @Test func serializerJoinsSegments() throws {
    var rng = SeededGenerator(state: 3)
    for _ in 0..<50 {
      let segments = (0..<Int.random(in: 1...6, using: &rng)).map { _ in
        (0..<Int.random(in: 0...3000, using: &rng)).map { _ in
          UInt8.random(in: 0...255, using: &rng)
        }
      }
      let message = EncodedMessage(segments: segments)
      let transport: GRPCNIOTransportBytes = try PassThroughSerializer().serialize(message)
      #expect(transport.withUnsafeBytes { Array($0) } == segments.flatMap { $0 })
      let array: [UInt8] = try PassThroughSerializer().serialize(message)
      #expect(array == message.bytes)
    }
  }
}
