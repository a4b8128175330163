import FairwayMesh

/// One Dubbo route, independent of how a data plane spells it: which calls it takes (method
/// name, attachments, and the service group and version it is pinned to) and where they go.
struct DubboRule: Sendable, Equatable {
  /// The group and version a rule only applies to, from exact `group`/`version` attachment
  /// matches. Envoy matches those per route configuration, not per route.
  struct Pin: Sendable, Hashable {
    var group: String?
    var version: String?

    var isEmpty: Bool { group == nil && version == nil }
    var specificity: Int { (group == nil ? 0 : 1) + (version == nil ? 0 : 1) }

    /// Whether every call this pin selects also satisfies `rule`'s pin.
    func covers(_ rule: Pin) -> Bool {
      (rule.group == nil || rule.group == group) && (rule.version == nil || rule.version == version)
    }
  }

  /// An attachment condition; keys are lower-case, as Dubbo attachments reach the proxy.
  struct Attachment: Sendable, Equatable {
    var name: String
    var value: StringMatch
    var invert: Bool
  }

  struct Destination: Sendable, Equatable {
    var cluster: String
    var weight: UInt32
  }

  var name: String
  var method: StringMatch?
  var attachments: [Attachment]
  var pin: Pin
  /// One destination, or several whose weights sum to 100.
  var destinations: [Destination]
  var timeout: IstioDuration?
  var retries: HTTPRetry?
  /// The route Istio adds when nothing else matches: every call to the whole service.
  var isDefault: Bool = false

  /// The attachment keys that select a service's group and version.
  static let groupKey = "group"
  static let versionKey = "version"
}
