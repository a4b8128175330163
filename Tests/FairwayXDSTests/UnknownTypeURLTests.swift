import FairwayProto
import FairwayResources
import Foundation
import SwiftProtobuf
import Testing

@testable import FairwayXDS

/// Requests for a type URL Fairway does not serve: answered empty, their ACKs accepted, never
/// stale nonces of a served type, and bounded state whatever the client sends.
@Suite struct UnknownTypeURLTests {
  let now = Date(timeIntervalSince1970: 1_800_000_000)
  static let secret = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret"

  static func sotw(
    _ typeURL: String, names: [String] = [], nonce: String = "", error: String? = nil
  )
    -> Envoy_Service_Discovery_V3_DiscoveryRequest
  {
    var request = Fixtures.sotwRequest(.cluster, names: names, nonce: nonce, error: error)
    request.typeURL = typeURL
    return request
  }

  static func delta(_ typeURL: String, subscribe: [String] = [], nonce: String = "")
    -> Envoy_Service_Discovery_V3_DeltaDiscoveryRequest
  {
    var request = Fixtures.deltaRequest(.cluster, subscribe: subscribe, nonce: nonce)
    request.typeURL = typeURL
    return request
  }

  @Test func sotwUnknownTypeIsAnsweredEmptyAndItsAckAccepted() throws {
    var state = SotWStreamState(controlPlaneIdentifier: "fw")
    var first = Self.sotw(Self.secret, names: ["default"])
    first.node.id = "sidecar~1.1.1.1~a.ns~ns.svc.cluster.local"
    let outcome = state.receive(first, now: now)
    #expect(outcome.type == nil && outcome.verdict == .initial && !outcome.respond)
    let reply = try Envoy_Service_Discovery_V3_DiscoveryResponse(
      serializedBytes: try #require(outcome.reply).bytes)
    #expect(reply.typeURL == Self.secret)
    #expect(reply.resources.isEmpty && !reply.nonce.isEmpty && !reply.versionInfo.isEmpty)
    #expect(reply.controlPlane.identifier == "fw")
    // The node of a first request is kept even when its type is unknown.
    #expect(state.node?.id == "sidecar~1.1.1.1~a.ns~ns.svc.cluster.local")

    let ack = state.receive(
      Self.sotw(Self.secret, names: ["default"], nonce: reply.nonce), now: now)
    #expect(ack.verdict == .ack && ack.reply == nil)
    let nack = state.receive(
      Self.sotw(Self.secret, nonce: reply.nonce, error: "no such type"), now: now)
    #expect(nack.verdict == .nack("no such type") && nack.reply == nil)
    let stale = state.receive(Self.sotw(Self.secret, nonce: "999"), now: now)
    #expect(stale.verdict == .stale && stale.reply == nil)
    // No per-type state, no stale nonce recorded against a served type.
    #expect(state.types.isEmpty && state.requestedTypes.isEmpty)

    // A re-request is answered again, with a new nonce.
    let again = state.receive(Self.sotw(Self.secret), now: now)
    #expect(again.verdict == .rerequest)
    let second = try Envoy_Service_Discovery_V3_DiscoveryResponse(
      serializedBytes: try #require(again.reply).bytes)
    #expect(second.nonce != reply.nonce)
  }

  @Test func sotwUnknownTypeLeavesServedTypesAlone() throws {
    var state = SotWStreamState(controlPlaneIdentifier: "fw")
    _ = state.receive(Fixtures.sotwRequest(.cluster), now: now)
    let clusters = ResourceSet(type: .cluster, resources: [Fixtures.cluster("a")])
    let sent = try #require(
      try Fixtures.decodeSotW(
        state.response(for: .cluster, available: clusters, force: false, limit: nil, now: now)))
    // An unknown type answered in between takes a nonce of the stream's sequence...
    _ = state.receive(Self.sotw(Self.secret), now: now)
    // ...and the CDS ACK of the earlier nonce is still an ACK, not stale.
    let ack = state.receive(
      Fixtures.sotwRequest(.cluster, nonce: sent.nonce, version: sent.versionInfo), now: now)
    #expect(ack.verdict == .ack)
    #expect(state.status(for: .cluster)?.staleNonceCount == 0)
    #expect(state.status(for: .cluster)?.state == .synced)
  }

  @Test func floodOfUnknownTypesKeepsBoundedState() throws {
    var sotw = SotWStreamState(controlPlaneIdentifier: "fw")
    var delta = DeltaStreamState(controlPlaneIdentifier: "fw")
    var answered = 0
    for index in 0..<5_000 {
      let typeURL = "type.googleapis.com/flood.T\(index)"
      if sotw.receive(Self.sotw(typeURL, names: ["x"]), now: now).reply != nil { answered += 1 }
      if delta.receive(Self.delta(typeURL, subscribe: ["x"]), now: now).reply != nil {
        answered += 1
      }
    }
    #expect(answered == 10_000)
    #expect(sotw.envelope.unknownTypes.count == UnknownTypes.capacity)
    #expect(delta.envelope.unknownTypes.count == UnknownTypes.capacity)
    #expect(sotw.types.isEmpty && delta.types.isEmpty)
    // The latest ones are remembered: an ACK of the last answer is accepted.
    let last = "type.googleapis.com/flood.T4999"
    let lastOutcome = sotw.receive(Self.sotw(last), now: now)
    let reply = try Envoy_Service_Discovery_V3_DiscoveryResponse(
      serializedBytes: try #require(lastOutcome.reply).bytes)
    let lastAck = sotw.receive(Self.sotw(last, nonce: reply.nonce), now: now)
    #expect(lastAck.verdict == .ack)
    // A type URL too long to echo is counted by the session but not answered.
    let huge = "type.googleapis.com/" + String(repeating: "x", count: 2_000)
    let outcome = sotw.receive(Self.sotw(huge), now: now)
    #expect(outcome.type == nil && outcome.reply == nil)
    #expect(sotw.envelope.unknownTypes.count == UnknownTypes.capacity)
  }

  @Test func deltaUnknownTypeListsSubscribedNamesAsRemoved() throws {
    var state = DeltaStreamState(controlPlaneIdentifier: "fw")
    let outcome = state.receive(Self.delta(Self.secret, subscribe: ["a", "b", "a", "*"]), now: now)
    #expect(outcome.type == nil && outcome.verdict == .initial)
    let reply = try Envoy_Service_Discovery_V3_DeltaDiscoveryResponse(
      serializedBytes: try #require(outcome.reply).bytes)
    #expect(reply.typeURL == Self.secret && reply.resources.isEmpty)
    #expect(reply.removedResources == ["a", "b"])
    #expect(reply.controlPlane.identifier == "fw")

    // A plain ACK: accepted, nothing owed.
    let ack = state.receive(Self.delta(Self.secret, nonce: reply.nonce), now: now)
    #expect(ack.verdict == .ack && ack.reply == nil)
    // New names are answered even on a stale nonce (Delta honours subscriptions always).
    let more = state.receive(Self.delta(Self.secret, subscribe: ["c"], nonce: "999"), now: now)
    #expect(more.verdict == .stale)
    let second = try Envoy_Service_Discovery_V3_DeltaDiscoveryResponse(
      serializedBytes: try #require(more.reply).bytes)
    #expect(second.removedResources == ["c"] && second.nonce != reply.nonce)
    let stale = state.receive(Self.delta(Self.secret, nonce: reply.nonce), now: now)
    #expect(stale.verdict == .stale && stale.reply == nil)
    #expect(state.types.isEmpty)
  }
}
