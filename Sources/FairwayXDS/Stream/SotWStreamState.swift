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
    var requested = false
    var namesEverSent = false
    var wildcard = false
    var subscribed: Set<String> = []
    var subscribedBytes = 0
    /// Name -> version of every resource last sent to the client, for EDS and RDS (CDS and LDS
    /// are sent whole, so `sentSetVersion` is all they need).
    var sent = VersionedNames()
    /// The names of the last request as sent, so an ACK repeating them skips all set work.
    var lastNames: [String] = []
    var sentSetVersion: String?
    /// A request asked for an answer: the next response carries everything subscribed.
    var answerPending = false
  }

  private(set) var types: [XDSResourceType: TypeState] = [:]
  private(set) var requestedTypes: [XDSResourceType] = []
  private var envelope: StreamEnvelope

  init(controlPlaneIdentifier: String) {
    envelope = StreamEnvelope(controlPlaneIdentifier: controlPlaneIdentifier)
  }

  var node: Envoy_Config_Core_V3_Node? { envelope.node }

  static func resourceNameCount(_ request: Request) -> Int {
    request.resourceNames.count
  }

  mutating func receive(_ request: Envoy_Service_Discovery_V3_DiscoveryRequest, now: Date)
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

    let nonce = request.responseNonce
    if !nonce.isEmpty, nonce != state.status.sentNonce {
      state.status.staleNonceCount += 1
      return RequestOutcome(type: type, verdict: .stale, respond: false)
    }

    let verdict: RequestVerdict
    if !state.requested {
      verdict = .initial
    } else if nonce.isEmpty {
      verdict = .rerequest
    } else if request.hasErrorDetail {
      verdict = .nack(request.errorDetail.message)
      state.status.recordNack(
        nonce: nonce, version: request.versionInfo, message: request.errorDetail.message, at: now)
    } else {
      verdict = .ack
      state.status.recordAck(nonce: nonce, version: request.versionInfo, at: now)
    }
    if !state.requested { requestedTypes.insertInPushOrder(type) }
    state.requested = true

    // Envoy repeats every subscribed name in each ACK: when they are the same as last time,
    // nothing about the subscription can have changed, so skip the O(names) set work.
    var changed = false
    var isInitial = false
    if case .initial = verdict { isInitial = true }
    if isInitial || request.resourceNames != state.lastNames {
      state.lastNames = request.resourceNames
      let names = request.resourceNames
      let before = (state.wildcard, state.subscribed)
      if type.allowsWildcard {
        if !names.isEmpty { state.namesEverSent = true }
        state.wildcard = names.contains("*") || !state.namesEverSent
      }
      // Shared with every stream subscribing to the same list (see `SubscriptionSets`).
      state.subscribed = SubscriptionSets.shared.set(
        of: names, droppingWildcard: type.allowsWildcard)
      changed = before.0 != state.wildcard || before.1 != state.subscribed
      if changed {
        let (wildcard, subscribed) = (state.wildcard, state.subscribed)
        state.sent.filter { wildcard || subscribed.contains($0) }
        state.status.subscribed = subscribed
        state.subscribedBytes = subscribed.reduce(0) { $0 + $1.utf8.count }
      }
      state.status.wildcard = state.wildcard
    }

    let respond: Bool
    switch verdict {
    case .initial, .rerequest: respond = true
    case .ack, .nack: respond = changed
    case .stale: respond = false
    }
    if respond { state.answerPending = true }
    return RequestOutcome(type: type, verdict: verdict, respond: respond)
  }

  /// The response for `type` given what the proxy should have now, or nil when nothing changed.
  ///
  /// `available` is every resource of the type the proxy could use; `force` sends everything
  /// subscribed even if unchanged (a new subscription, or EDS after CDS so clusters can warm).
  mutating func response(
    for type: XDSResourceType, available: ResourceSet, force: Bool, limit: Set<String>?, now: Date
  ) -> OutgoingResponse? {
    guard types[type]?.requested == true, var state = types.removeValue(forKey: type) else {
      return nil
    }
    // Taken out, not copied (see `receive`).
    defer { types[type] = state }
    let force = force || state.answerPending
    state.answerPending = false

    let wanted: [EncodedResource]
    let (wildcard, subscribed) = (state.wildcard, state.subscribed)
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
