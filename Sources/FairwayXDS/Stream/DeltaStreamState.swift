import FairwayProto
import FairwayTranslate
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
    var requested = false
    var wildcard = false
    var subscribed: Set<String> = []
    /// Name -> version the client has, as far as this stream knows.
    var clientVersions = VersionedNames()
    /// Names to send on the next response even if the client has them.
    var pendingSubscribes: Set<String> = []
    var answeredFirst = false
  }

  private(set) var types: [XDSResourceType: TypeState] = [:]
  private(set) var requestedTypes: [XDSResourceType] = []
  private var envelope: StreamEnvelope

  init(controlPlaneIdentifier: String) {
    envelope = StreamEnvelope(controlPlaneIdentifier: controlPlaneIdentifier)
  }

  var node: Envoy_Config_Core_V3_Node? { envelope.node }

  static func resourceNameCount(_ request: Request) -> Int {
    request.resourceNamesSubscribe.count + request.resourceNamesUnsubscribe.count
      + request.initialResourceVersions.count
  }

  mutating func receive(_ request: Envoy_Service_Discovery_V3_DeltaDiscoveryRequest, now: Date)
    -> RequestOutcome
  {
    envelope.adopt(request.hasNode ? request.node : nil)
    guard let type = XDSResourceType(typeURL: request.typeURL) else {
      return RequestOutcome(type: nil, verdict: .stale, respond: false)
    }
    // Taken out of the dictionary, not copied: a copy would share the sets' storage and the
    // first mutation would duplicate thousands of entries per request.
    var state = types.removeValue(forKey: type) ?? TypeState()
    defer { types[type] = state }

    let initial = !state.requested
    if initial {
      requestedTypes.insertInPushOrder(type)
      state.requested = true
      state.wildcard = type.allowsWildcard && request.resourceNamesSubscribe.isEmpty
      for (name, version) in request.initialResourceVersions {
        state.clientVersions[name] = version
      }
    }
    for name in request.resourceNamesSubscribe {
      if name == "*" {
        state.wildcard = true
        continue
      }
      state.subscribed.insert(name)
      // A resource the client declared at reconnect with the current version is not resent.
      if !(initial && request.initialResourceVersions[name] != nil) {
        state.pendingSubscribes.insert(name)
      }
    }
    for name in request.resourceNamesUnsubscribe {
      if name == "*" {
        state.wildcard = false
        continue
      }
      state.subscribed.remove(name)
      state.pendingSubscribes.remove(name)
      if !state.wildcard { state.clientVersions.removeValue(forKey: name) }
    }
    state.status.wildcard = state.wildcard
    // ACKs usually carry no names: keep the O(n log n) debug copy for real changes.
    if initial || !request.resourceNamesSubscribe.isEmpty
      || !request.resourceNamesUnsubscribe.isEmpty
    {
      state.status.subscribed = state.subscribed.sorted()
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
    let respond = initial || !state.pendingSubscribes.isEmpty
    return RequestOutcome(type: type, verdict: verdict, respond: respond)
  }

  /// The response bringing the client up to date for `type`, or nil when it already is.
  ///
  /// `limit`: only these names can have changed (an endpoint-only push); nil = any. `force`
  /// resends every subscribed resource (EDS after CDS, so updated clusters can warm).
  mutating func response(
    for type: XDSResourceType, available: ResourceSet, force: Bool, limit: Set<String>?, now: Date
  ) -> OutgoingResponse? {
    guard types[type]?.requested == true, var state = types.removeValue(forKey: type) else {
      return nil
    }
    // Taken out, not copied (see `receive`).
    defer { types[type] = state }

    var scope: Set<String>
    if state.wildcard {
      scope = Set(available.names).union(state.clientVersions.names)
    } else {
      scope = state.subscribed
    }
    if force {
      state.pendingSubscribes.formUnion(scope.filter { available[$0] != nil })
    } else if let limit {
      // Walk the (small) limit, not the whole subscription.
      let candidates = limit.union(state.pendingSubscribes)
      scope = candidates.filter { scope.contains($0) }
    }

    var toSend: [EncodedResource] = []
    var removed: [String] = []
    for name in scope.sorted() {
      let forced = state.pendingSubscribes.contains(name)
      if let resource = available[name] {
        if forced || state.clientVersions[name] != resource.version { toSend.append(resource) }
      } else if forced || state.clientVersions[name] != nil {
        removed.append(name)
      }
    }
    state.pendingSubscribes.removeAll()
    if toSend.isEmpty, removed.isEmpty, state.answeredFirst { return nil }
    state.answeredFirst = true

    for resource in toSend { state.clientVersions[resource.name] = resource.version }
    for name in removed { state.clientVersions.removeValue(forKey: name) }
    state.clientVersions.rebase(onto: available)
    let version = state.clientVersions.setVersion
    let nonce = envelope.nextNonce()
    state.status.recordSent(nonce: nonce, version: version, at: now)
    let message = ResponseEncoder.delta(
      systemVersion: version, resources: toSend, removed: removed, type: type, nonce: nonce,
      controlPlane: envelope.controlPlane)
    return OutgoingResponse(message: message, nonce: nonce, resources: toSend, removed: removed)
  }

}
