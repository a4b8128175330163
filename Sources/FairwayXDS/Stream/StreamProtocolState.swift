import FairwayProto
import FairwayResources
import Foundation

/// What one step of a stream's protocol state machine decided about a request.
struct RequestOutcome: Equatable {
  /// nil for a type URL this server does not serve.
  var type: XDSResourceType?
  var verdict: RequestVerdict
  /// Whether the stream should answer (a new or changed subscription).
  var respond: Bool
  /// For a type URL this server does not serve: the empty answer to write now, if one is owed.
  var reply: EncodedMessage? = nil
}

/// A response the state machine decided to send, with what it carries (for config_dump).
struct OutgoingResponse {
  var message: EncodedMessage
  var nonce: String
  var resources: [EncodedResource]
  var removed: [String]
}

/// What both protocol variants track per resource type.
protocol StreamTypeState {
  var status: TypeSyncStatus { get }
  var phase: TypePhase { get }
  var subscription: Subscription { get }
}

/// How much a stream's subscriptions hold: names and their bytes, over all types.
struct SubscriptionFootprint: Equatable {
  var names = 0
  var bytes = 0
}

/// The protocol variant (SotW or Delta) behind one ADS stream: `StreamSession` drives either.
protocol StreamProtocolState {
  associatedtype Request: Sendable
  associatedtype TypeState: StreamTypeState

  static var kind: ProxyStream.Kind { get }
  init(controlPlaneIdentifier: String)
  var node: Envoy_Config_Core_V3_Node? { get }
  var types: [XDSResourceType: TypeState] { get }
  /// Types the client asked for, in ADS push order (kept, not derived from `types` on every
  /// push: that copied each type's state).
  var requestedTypes: [XDSResourceType] { get }
  /// How many resource names a request carries (subscriptions included).
  static func resourceNameCount(_ request: Request) -> Int
  /// The request's type URL and, when it carries `error_detail`, its message.
  static func typeAndError(_ request: Request) -> (typeURL: String, error: String?)
  /// Remembers the request's node if none is known yet, without any other step (a request the
  /// session handles itself, such as a health report).
  mutating func adoptNode(of request: Request)
  mutating func receive(_ request: Request, now: Date) -> RequestOutcome
  /// The response for `type` given everything the proxy should have now; nil when nothing changed.
  /// `force` resends every subscribed resource; `limit` says only these names can have changed.
  mutating func response(
    for type: XDSResourceType, available: ResourceSet, force: Bool, limit: Set<String>?, now: Date
  ) -> OutgoingResponse?
}

extension StreamProtocolState {
  var subscriptionFootprint: SubscriptionFootprint {
    var footprint = SubscriptionFootprint()
    for state in types.values {
      footprint.names += state.subscription.names.count
      footprint.bytes += state.subscription.bytes
    }
    return footprint
  }

  func subscription(for type: XDSResourceType) -> (wildcard: Bool, names: Set<String>)? {
    guard let state = types[type], state.phase.requested else { return nil }
    return (state.subscription.wildcard, state.subscription.names)
  }

  func status(for type: XDSResourceType) -> TypeSyncStatus? {
    types[type]?.status
  }
}

extension [XDSResourceType] {
  mutating func insertInPushOrder(_ type: XDSResourceType) {
    guard !contains(type) else { return }
    append(type)
    sort()
  }
}
