import Foundation

extension SyncStatus {
  /// One type of one stream: nonces, versions, the last push and the last NACK. Nonces,
  /// versions and times are "" when there is none, as istiod writes them.
  public struct TypeStatus: Sendable, Equatable, Codable {
    /// The nonce of the last response sent.
    public var sent: String
    /// The nonce of the last response acknowledged.
    public var acked: String
    public var sentVersion: String
    public var ackedVersion: String
    /// When the last response was sent (`APICoding.timestamp`).
    public var sentTime: String
    /// SYNCED, STALE, ERROR or NOT SENT.
    public var state: String
    public var nacks: Int
    /// Requests ignored because their nonce was not the latest sent.
    public var staleNonces: Int
    public var wildcard: Bool
    /// Subscribed names, sorted; empty for a wildcard subscription.
    public var subscribed: [String]
    /// The last NACK's message; "" when the type was never NACKed.
    public var lastError: String
    /// The nonce and time of the last NACK; absent when there was none.
    public var lastErrorNonce: String?
    public var lastErrorTime: String?

    public init(
      sent: String = "", acked: String = "", sentVersion: String = "", ackedVersion: String = "",
      sentTime: String = "", state: String = "NOT SENT", nacks: Int = 0, staleNonces: Int = 0,
      wildcard: Bool = false, subscribed: [String] = [], lastError: String = "",
      lastErrorNonce: String? = nil, lastErrorTime: String? = nil
    ) {
      self.sent = sent
      self.acked = acked
      self.sentVersion = sentVersion
      self.ackedVersion = ackedVersion
      self.sentTime = sentTime
      self.state = state
      self.nacks = nacks
      self.staleNonces = staleNonces
      self.wildcard = wildcard
      self.subscribed = subscribed
      self.lastError = lastError
      self.lastErrorNonce = lastErrorNonce
      self.lastErrorTime = lastErrorTime
    }

    enum CodingKeys: String, CodingKey {
      case sent, acked, sentVersion, ackedVersion, sentTime, state, nacks, staleNonces
      case wildcard, subscribed, lastError, lastErrorNonce, lastErrorTime
    }

    public init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      func text(_ key: CodingKeys) throws -> String {
        try container.decodeIfPresent(String.self, forKey: key) ?? ""
      }
      self.init(
        sent: try text(.sent), acked: try text(.acked), sentVersion: try text(.sentVersion),
        ackedVersion: try text(.ackedVersion), sentTime: try text(.sentTime),
        state: try container.decodeIfPresent(String.self, forKey: .state) ?? "NOT SENT",
        nacks: try container.decodeIfPresent(Int.self, forKey: .nacks) ?? 0,
        staleNonces: try container.decodeIfPresent(Int.self, forKey: .staleNonces) ?? 0,
        wildcard: try container.decodeIfPresent(Bool.self, forKey: .wildcard) ?? false,
        subscribed: try container.decodeIfPresent([String].self, forKey: .subscribed) ?? [],
        lastError: try text(.lastError),
        lastErrorNonce: try container.decodeIfPresent(String.self, forKey: .lastErrorNonce),
        lastErrorTime: try container.decodeIfPresent(String.self, forKey: .lastErrorTime))
    }
  }
}
