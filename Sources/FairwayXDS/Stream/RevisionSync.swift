import FairwayResources

/// Which store revision one stream's proxy holds, per resource type: the answer to "has my
/// change reached this proxy?" (`fairway wait`).
///
/// A proxy holds revision R for a type when the last response it ACKed was built from a
/// translation at R or later, or when a push at R or later found nothing to send for that type
/// while its last response was ACKed (the change did not concern it). A response still in
/// flight covers the revisions such pushes found unchanged, once ACKed; a NACKed one covers
/// them as rejected, with Envoy's message. Revisions only grow: a stream reads translations in
/// publication order.
///
/// A client subscribes to the routes of a new listener (the endpoints of a new cluster) only
/// once it took the LDS (CDS) response. Envoy sends that request before its ACK; a client
/// that sends it after (gRPC's xDS client notifies its watchers asynchronously) would look
/// synced in between. So when a parent's ACK comes with no word on the dependent type since
/// the response went out, the dependent type is pending until it says something, or for
/// `settle` at most.
public struct RevisionSync: Sendable, Equatable {
  /// How long a dependent type is waited for after its parent's ACK (Envoy sends the new
  /// subscription within the same event-loop turn; this covers the network and our queue).
  static let settle = Duration.milliseconds(250)
  /// A NACK of the response that carried `revision`.
  public struct Rejection: Sendable, Equatable {
    public var type: XDSResourceType
    public var revision: Int64
    public var message: String

    public init(type: XDSResourceType, revision: Int64, message: String) {
      self.type = type
      self.revision = revision
      self.message = message
    }
  }

  /// Where one type stands.
  struct TypeRevision: Sendable, Equatable {
    /// Every change up to this revision is in what the proxy ACKed; -1 before any.
    var acked: Int64 = -1
    /// The latest response sent and not yet answered covers changes up to this revision.
    var inFlight: Int64?
    /// The latest answered response was NACKed.
    var rejection: Rejection?
  }

  /// Where a stream stands against one revision.
  public struct Outcome: Sendable, Equatable {
    /// Types whose ACK of the revision is still awaited (sent, or not pushed yet).
    public var pending: [XDSResourceType] = []
    /// Types the proxy NACKed at the revision or later, with its message.
    public var rejected: [Rejection] = []

    public init(pending: [XDSResourceType] = [], rejected: [Rejection] = []) {
      self.pending = pending
      self.rejected = rejected
    }

    public var isSynced: Bool { pending.isEmpty && rejected.isEmpty }
  }

  private(set) var types: [XDSResourceType: TypeRevision] = [:]
  /// Dependent types whose parent's new response was just ACKed, until when they settle.
  private(set) var settling: [XDSResourceType: ContinuousClock.Instant] = [:]
  /// Dependent types the client sent a request for since their parent's latest response.
  private var heard: Set<XDSResourceType> = []

  /// The next instant an outcome can change without a request arriving.
  public var settlesAt: ContinuousClock.Instant? { settling.values.min() }

  public init() {}

  /// A response for `type` built from the translation at `revision` went out.
  mutating func sent(_ type: XDSResourceType, at revision: Int64) {
    types[type, default: TypeRevision()].inFlight = revision
    if let child = Self.dependent[type] { heard.remove(child) }
  }

  /// A push at `revision` had nothing new for `type`: what the proxy was last sent is what
  /// `revision` says, so the revision shares that response's fate.
  mutating func unchanged(_ type: XDSResourceType, at revision: Int64) {
    var state = types[type] ?? TypeRevision()
    if let inFlight = state.inFlight {
      state.inFlight = max(inFlight, revision)
    } else if var rejection = state.rejection {
      rejection.revision = max(rejection.revision, revision)
      state.rejection = rejection
    } else {
      state.acked = max(state.acked, revision)
    }
    types[type] = state
  }

  /// The proxy sent a request for `type`; an ACK or NACK answers the latest response (other
  /// verdicts only end the type's settling).
  mutating func answered(
    _ type: XDSResourceType, _ verdict: RequestVerdict, at now: ContinuousClock.Instant = .now
  ) {
    settling[type] = nil
    heard.insert(type)
    guard var state = types[type] else { return }
    switch verdict {
    case .ack:
      if let inFlight = state.inFlight {
        state.acked = max(state.acked, inFlight)
        if let child = Self.dependent[type], !heard.contains(child) {
          settling[child] = now + Self.settle
        }
      }
      state.inFlight = nil
      state.rejection = nil
    case .nack(let message):
      state.rejection = Rejection(
        type: type, revision: state.inFlight ?? state.acked,
        message: message.clipped(toUTF8: TypeSyncStatus.nackMessageLimit))
      state.inFlight = nil
    case .initial, .stale, .rerequest:
      return
    }
    types[type] = state
  }

  /// The type whose names a response of the key type brings.
  static let dependent: [XDSResourceType: XDSResourceType] = [
    .cluster: .endpoint, .listener: .route,
  ]

  /// Where the stream stands against `revision`, over every type it was answered for.
  public func outcome(for revision: Int64, at now: ContinuousClock.Instant = .now) -> Outcome {
    var outcome = Outcome()
    var types = self.types
    for (type, until) in settling where until > now && types[type] == nil {
      types[type] = TypeRevision()
    }
    for (type, state) in types.sorted(by: { $0.key < $1.key }) {
      if let until = settling[type], until > now {
        outcome.pending.append(type)
        continue
      }
      guard state.acked < revision else { continue }
      if let inFlight = state.inFlight, inFlight >= revision {
        outcome.pending.append(type)
      } else if let rejection = state.rejection, rejection.revision >= revision {
        outcome.rejected.append(rejection)
      } else {
        outcome.pending.append(type)
      }
    }
    return outcome
  }
}
