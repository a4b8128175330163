import FairwayProto
import FairwayResources
import Foundation

/// The state-of-the-world protocol for one ADS stream, as a value: requests go in, and it says
/// whether to respond; resources go in, and it returns the response to send, if any.
///
/// Rules (XDS-NOTES §1): ACK/NACK are told apart by `error_detail`; a request whose nonce is not
/// the latest sent for its type is ignored; nothing is sent unless something changed for the
/// stream and type; a NACKed response is never resent (what was sent stays the baseline);
/// LDS/CDS responses carry the full set, EDS/RDS only what changed among subscribed names.
struct SotWStreamState: StreamProtocolState {
  typealias Request = Envoy_Service_Discovery_V3_DiscoveryRequest
  static let kind = ProxyStream.Kind.sotw

  struct TypeState: StreamTypeState {
    var status = TypeSyncStatus()
    var phase = TypePhase.unrequested
    var subscription: Subscription
    /// Name -> version of every resource last sent to the client, for EDS and RDS (CDS and LDS
    /// are sent whole, so `sentSetVersion` is all they need).
    var sent = VersionedNames()
    var sentSetVersion: String?

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
    request.resourceNames.count
  }

  mutating func receive(_ request: Envoy_Service_Discovery_V3_DiscoveryRequest, now: Date)
    -> RequestOutcome
  {
    envelope.adopt(request.hasNode ? request.node : nil)
    guard let type = XDSResourceType(typeURL: request.typeURL) else {
      // Only a request without a nonce asks for an answer: an ACK of the empty answer needs
      // none, and a changed name list changes nothing in an empty set.
      return envelope.unknownType(
        request.typeURL, nonce: request.responseNonce,
        error: request.hasErrorDetail ? request.errorDetail.message : nil,
        answer: request.responseNonce.isEmpty
      ) { nonce, controlPlane in
        ResponseEncoder.emptyStateOfTheWorld(
          typeURL: request.typeURL, version: ContentHash.setVersion(count: 0, pairSum: 0),
          nonce: nonce, controlPlane: controlPlane)
      }
    }
    // Taken out of the dictionary, not copied: a copy would share the sets' storage and the
    // first mutation would duplicate thousands of entries per request.
    var state = types.removeValue(forKey: type) ?? TypeState(type: type)
    defer { types[type] = state }

    let nonce = request.responseNonce
    let verdict: RequestVerdict
    if !nonce.isEmpty, nonce != state.status.sentNonce {
      verdict = .stale
    } else if !state.phase.requested {
      verdict = .initial
    } else if nonce.isEmpty {
      verdict = .rerequest
    } else if request.hasErrorDetail {
      verdict = .nack(request.errorDetail.message)
    } else {
      verdict = .ack
    }
    switch verdict {
    case .stale:
      state.status.staleNonceCount += 1
      return RequestOutcome(type: type, verdict: verdict, respond: false)
    case .initial:
      requestedTypes.insertInPushOrder(type)
    case .nack(let message):
      state.status.recordNack(nonce: nonce, version: request.versionInfo, message: message, at: now)
    case .ack:
      state.status.recordAck(nonce: nonce, version: request.versionInfo, at: now)
    case .rerequest:
      break
    }

    let changed = state.subscription.replace(with: request.resourceNames)
    if changed {
      let (wildcard, subscribed) = (state.subscription.wildcard, state.subscription.names)
      state.sent.filter { wildcard || subscribed.contains($0) }
      state.status.subscribed = subscribed
    }
    state.status.wildcard = state.subscription.wildcard

    let action = state.phase.receiveSotW(verdict, subscriptionChanged: changed)
    return RequestOutcome(type: type, verdict: verdict, respond: action == .respond)
  }

  /// The response for `type` given what the proxy should have now, or nil when nothing changed.
  ///
  /// `available` is every resource of the type the proxy could use; `force` sends everything
  /// subscribed even if unchanged (a new subscription, or EDS after CDS so clusters can warm).
  mutating func response(
    for type: XDSResourceType, available: ResourceSet, force: Bool, limit: Set<String>?, now: Date
  ) -> OutgoingResponse? {
    guard types[type]?.phase.requested == true, var state = types.removeValue(forKey: type)
    else { return nil }
    // Taken out, not copied (see `receive`).
    defer { types[type] = state }
    let force = force || state.phase.owesAnswer

    let wanted: [EncodedResource]
    let (wildcard, subscribed) = (state.subscription.wildcard, state.subscription.names)
    if let limit, !type.isFullStateInSotW, !force {
      // Only the limited names can have changed: look at those, not the whole subscription.
      wanted = limit.filter { wildcard ? available[$0] != nil : subscribed.contains($0) }.sorted()
        .compactMap { available[$0] }
    } else if wildcard {
      wanted = available.sortedResources
    } else {
      wanted = available.sortedMembers(named: subscribed)
    }

    let toSend: [EncodedResource]
    let version: String
    if type.isFullStateInSotW {
      // The whole set goes every time, so only its version is kept. When the stream takes
      // everything available (a wildcard sidecar), that version is the shared set's, computed
      // once for all streams.
      version =
        wanted.count == available.count
        ? available.version : ContentHash.setVersion(of: wanted)
      if !force, version == state.sentSetVersion { return nil }
      toSend = wanted
    } else {
      toSend = force ? wanted : wanted.filter { state.sent[$0.name] != $0.version }
      if toSend.isEmpty, !force { return nil }
      state.sent.record(sent: toSend, removed: [], from: available)
      version = state.sent.setVersion
    }
    state.sentSetVersion = version
    state.phase.responded()
    let nonce = envelope.nextNonce()
    state.status.recordSent(nonce: nonce, version: version, at: now)
    // The whole set of a type whose sets are shared by many proxies (all but LDS, which
    // carries each pod's own inbound listeners): its bytes are built once for all streams.
    let message =
      toSend.count == available.count && type != .listener && !toSend.isEmpty
      ? ResponseEncoder.stateOfTheWorld(
        version: version, wholeSet: available, nonce: nonce, controlPlane: envelope.controlPlane)
      : ResponseEncoder.stateOfTheWorld(
        version: version, resources: toSend, type: type, nonce: nonce,
        controlPlane: envelope.controlPlane)
    return OutgoingResponse(message: message, nonce: nonce, resources: toSend, removed: [])
  }
}

extension XDSResourceType {
  /// LDS and CDS responses replace the whole set; EDS and RDS ones update the names they carry.
  var isFullStateInSotW: Bool { self == .listener || self == .cluster }
}
