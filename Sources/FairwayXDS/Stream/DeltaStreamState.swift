import FairwayProto
import FairwayResources
import Foundation

/// The incremental (Delta) xDS protocol for one ADS stream, as a value.
///
/// Rules (XDS-NOTES §2): subscribe/unsubscribe are honoured on every request, even with a stale
/// nonce; every newly subscribed name is sent (or listed as removed when it does not exist);
/// `initial_resource_versions` seed what the client has, so matching resources are not resent;
/// versions are per resource; deletions are `removed_resources`.
struct DeltaStreamState: StreamProtocolState {
  typealias Request = Envoy_Service_Discovery_V3_DeltaDiscoveryRequest
  static let kind = ProxyStream.Kind.delta

  struct TypeState: StreamTypeState {
    var status = TypeSyncStatus()
    var phase = TypePhase.unrequested
    var subscription: Subscription
    /// Name -> version the client has, as far as this stream knows.
    var clientVersions = VersionedNames()
    /// Names to send on the next response even if the client has them.
    var pendingSubscribes: Set<String> = []

    init(type: XDSResourceType) {
      subscription = Subscription(type: type)
    }
  }

  private(set) var types: [XDSResourceType: TypeState] = [:]
  private(set) var requestedTypes: [XDSResourceType] = []
  private(set) var envelope: StreamEnvelope

  init(controlPlaneIdentifier: String) {
    envelope = StreamEnvelope(controlPlaneIdentifier: controlPlaneIdentifier)
  }

  var node: Envoy_Config_Core_V3_Node? { envelope.node }

  mutating func adoptNode(of request: Request) {
    envelope.adopt(request.hasNode ? request.node : nil)
  }

  static func resourceNameCount(_ request: Request) -> Int {
    request.resourceNamesSubscribe.count + request.resourceNamesUnsubscribe.count
      + request.initialResourceVersions.count
  }

  mutating func receive(_ request: Envoy_Service_Discovery_V3_DeltaDiscoveryRequest, now: Date)
    -> RequestOutcome
  {
    envelope.adopt(request.hasNode ? request.node : nil)
    guard let type = XDSResourceType(typeURL: request.typeURL) else {
      // A request without a nonce or with new names asks for an answer (subscriptions count
      // even with a stale nonce): every name it subscribes to is listed as removed.
      let subscribe = request.resourceNamesSubscribe
      return envelope.unknownType(
        request.typeURL, nonce: request.responseNonce,
        error: request.hasErrorDetail ? request.errorDetail.message : nil,
        answer: request.responseNonce.isEmpty || !subscribe.isEmpty
      ) { nonce, controlPlane in
        var seen = Set<String>()
        return ResponseEncoder.emptyDelta(
          typeURL: request.typeURL, systemVersion: ContentHash.setVersion(count: 0, pairSum: 0),
          removed: subscribe.filter { $0 != "*" && seen.insert($0).inserted }, nonce: nonce,
          controlPlane: controlPlane)
      }
    }
    // Taken out of the dictionary, not copied: a copy would share the sets' storage and the
    // first mutation would duplicate thousands of entries per request.
    var state = types.removeValue(forKey: type) ?? TypeState(type: type)
    defer { types[type] = state }

    let initial = !state.phase.requested
    if initial {
      requestedTypes.insertInPushOrder(type)
      for (name, version) in request.initialResourceVersions {
        state.clientVersions[name] = version
      }
    }
    let subscribe = request.resourceNamesSubscribe
    let unsubscribe = request.resourceNamesUnsubscribe
    // A resource the client declared at reconnect with the current version is not resent.
    let declared = initial ? request.initialResourceVersions : [:]
    let change = state.subscription.update(
      subscribe: subscribe, unsubscribe: unsubscribe, first: initial)
    if let whole = change.builtAtOnce, state.pendingSubscribes.isEmpty, declared.isEmpty {
      state.pendingSubscribes = whole
    } else {
      for name in subscribe where name != "*" && declared[name] == nil {
        state.pendingSubscribes.insert(name)
      }
    }
    for name in unsubscribe { state.pendingSubscribes.remove(name) }
    for name in change.dropped { state.clientVersions.removeValue(forKey: name) }
    state.status.wildcard = state.subscription.wildcard
    if initial || !subscribe.isEmpty || !unsubscribe.isEmpty {
      state.status.subscribed = state.subscription.names
    }

    let nonce = request.responseNonce
    var verdict: RequestVerdict = initial ? .initial : .rerequest
    if !nonce.isEmpty {
      if nonce != state.status.sentNonce {
        state.status.staleNonceCount += 1
        verdict = .stale
      } else if request.hasErrorDetail {
        verdict = .nack(request.errorDetail.message)
        state.status.recordNack(
          nonce: nonce, version: state.status.sentVersion ?? "",
          message: request.errorDetail.message, at: now)
      } else {
        verdict = .ack
        state.status.recordAck(nonce: nonce, version: state.status.sentVersion ?? "", at: now)
      }
    }
    let action = state.phase.receiveDelta(verdict, newNames: !state.pendingSubscribes.isEmpty)
    return RequestOutcome(type: type, verdict: verdict, respond: action == .respond)
  }

  /// The response bringing the client up to date for `type`, or nil when it already is.
  ///
  /// `limit`: only these names can have changed (an endpoint-only push); nil = any. `force`
  /// resends every subscribed resource (EDS after CDS, so updated clusters can warm).
  mutating func response(
    for type: XDSResourceType, available: ResourceSet, force: Bool, limit: Set<String>?, now: Date
  ) -> OutgoingResponse? {
    guard types[type]?.phase.requested == true, var state = types.removeValue(forKey: type)
    else { return nil }
    // Taken out, not copied (see `receive`).
    defer { types[type] = state }

    var toSend: [EncodedResource] = []
    var removed: [String] = []
    let pending = state.pendingSubscribes
    // Read in place, never copied: a copy alive while `clientVersions` is updated below
    // would duplicate a stream's private map on every response.
    func held(_ name: String) -> String? { state.clientVersions[name] }
    // VHDS names are not all resource names (a route configuration's name stands for its
    // hosts), so the translation resolves the subscription and `available` is exactly what
    // the stream should hold: walked like a wildcard.
    let wildcard = state.subscription.wildcard || type.resolvedByServer
    // Held names met among the available ones: when that is every held name, none is missing.
    var heldAndAvailable = 0
    // `forced`: sent even if the client has it (newly subscribed, or `force`).
    func consider(_ name: String, _ resource: EncodedResource?, forced: Bool) {
      if let resource {
        guard !forced || wildcard else { return toSend.append(resource) }
        let version = held(name)
        if version != nil { heldAndAvailable += 1 }
        if forced || version != resource.version { toSend.append(resource) }
      } else if forced || held(name) != nil {
        removed.append(name)
      }
    }
    let subscribed = state.subscription.names
    func inScope(_ name: String) -> Bool {
      wildcard ? available[name] != nil || held(name) != nil : subscribed.contains(name)
    }
    // Whether the client holds exactly `available` once this response is applied.
    var holdsAvailable = false
    if limit == nil, !force, pending.isEmpty, wildcard, let held = state.clientVersions.heldSet {
      // The stream holds exactly one earlier set: what it lacks is that set's change to this
      // one, the same for every stream that held it, computed once for all of them.
      let change = available.changes(since: held)
      toSend = change.updated
      removed = change.removed
      holdsAvailable = true
    } else if let limit, !force {
      // Walk the (small) limit, not the whole subscription.
      for name in limit.union(pending).filter(inScope).sorted() {
        consider(name, available[name], forced: pending.contains(name))
      }
    } else {
      // Pending names are always subscribed ones: when all of them are pending (a first
      // subscription), every subscribed member is forced without looking it up again.
      let allPending = !wildcard && !pending.isEmpty && pending.count == subscribed.count
      let present =
        wildcard ? available.sortedResources : available.sortedMembers(named: subscribed)
      for resource in present {
        let forced = force || allPending || (!pending.isEmpty && pending.contains(resource.name))
        consider(resource.name, resource, forced: forced)
      }
      // Names in scope that the set lacks: held ones (wildcard) or subscribed ones.
      var missing: [String] = []
      if wildcard {
        // Looking every held name up again is most of the diff when nothing went away.
        if state.clientVersions.count > heldAndAvailable {
          missing = state.clientVersions.names.filter { available[$0] == nil }
        }
      } else if present.count < subscribed.count {
        missing = subscribed.filter { available[$0] == nil }
      }
      for name in missing.sorted() { consider(name, nil, forced: pending.contains(name)) }
    }
    state.pendingSubscribes.removeAll()
    if toSend.isEmpty, removed.isEmpty, !state.phase.owesAnswer { return nil }
    state.phase.responded()

    if holdsAvailable {
      state.clientVersions = VersionedNames(holding: available)
    } else {
      state.clientVersions.record(sent: toSend, removed: removed, from: available)
    }
    let version = state.clientVersions.setVersion
    let nonce = envelope.nextNonce()
    state.status.recordSent(nonce: nonce, version: version, at: now)
    let message =
      toSend.count == available.count && removed.isEmpty
      ? ResponseEncoder.delta(
        systemVersion: version, wholeSet: available, nonce: nonce,
        controlPlane: envelope.controlPlane)
      : ResponseEncoder.delta(
        systemVersion: version, resources: toSend, removed: removed, type: type, nonce: nonce,
        controlPlane: envelope.controlPlane)
    return OutgoingResponse(message: message, nonce: nonce, resources: toSend, removed: removed)
  }

}

extension XDSResourceType {
  /// Types whose subscribed names the translation resolves into the resources a stream holds
  /// (VHDS: a route configuration's name, or `PORT/HOST` aliases).
  var resolvedByServer: Bool { self == .virtualHost }
}
