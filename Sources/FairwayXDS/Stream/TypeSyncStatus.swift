import Foundation

/// What one stream has been sent and has accepted for one resource type: the raw material of
/// `/debug/syncz` and `fairway proxy-status`.
public struct TypeSyncStatus: Sendable, Equatable, Codable {
  /// The last NACK a stream sent for a type.
  public struct Rejection: Sendable, Equatable, Codable {
    public var nonce: String
    public var version: String
    public var message: String
    public var time: Date
  }

  var sentNonce: String?
  public var sentVersion: String?
  public var sentTime: Date?
  var sentCount: Int = 0
  var ackedNonce: String?
  public var ackedVersion: String?
  var ackedTime: Date?
  public var lastError: Rejection?
  var nackCount: Int = 0
  /// Requests ignored because their nonce was not the latest sent for the type.
  var staleNonceCount: Int = 0
  /// Names the stream subscribed to: the subscription set itself, shared with every stream
  /// holding the same one (reports sort it); empty with `wildcard` for LDS/CDS wildcard streams.
  public var subscribed: Set<String> = []
  public var wildcard: Bool = false

  public init() {}

  /// SYNCED when the last sent response was acknowledged, like `istioctl proxy-status`.
  public var state: SyncState {
    guard let sent = sentNonce else { return .notSent }
    if ackedNonce == sent { return .synced }
    if let error = lastError, error.nonce == sent { return .error }
    return .stale
  }

  mutating func recordSent(nonce: String, version: String, at time: Date) {
    sentNonce = nonce
    sentVersion = version
    sentTime = time
    sentCount += 1
  }

  mutating func recordAck(nonce: String, version: String, at time: Date) {
    ackedNonce = nonce
    ackedVersion = version
    ackedTime = time
  }

  /// UTF-8 bytes of a NACK message kept; a client chooses its `error_detail` freely.
  static let nackMessageLimit = 16 * 1024

  mutating func recordNack(nonce: String, version: String, message: String, at time: Date) {
    lastError = Rejection(
      nonce: nonce, version: version, message: message.clipped(toUTF8: Self.nackMessageLimit),
      time: time)
    nackCount += 1
  }
}

/// A stream's sync state for one type, as `istioctl proxy-status` prints it.
public enum SyncState: String, Sendable, Codable {
  case synced = "SYNCED"
  case stale = "STALE"
  case notSent = "NOT SENT"
  case error = "ERROR"
}
