import Foundation

/// The body of `GET /wait`: where the connected proxies stand against one store revision.
/// Foundation-only, so non-Swift-server clients (the CLI) decode it as is.
public struct WaitResponse: Codable, Sendable, Equatable {
  /// Where the proxies, or one proxy, stand.
  public enum State: String, Codable, Sendable {
    /// Every proxy ACKed a version that includes the revision (or the change did not concern it).
    case synced
    /// A proxy NACKed a version that includes it; it will not have the revision without
    /// another change.
    case rejected
    /// Not pushed yet, or a proxy has not answered.
    case pending
  }

  /// A NACK: the type (`CDS`, `LDS`...), the revision the rejected response carried, and
  /// Envoy's message.
  public struct Rejection: Codable, Sendable, Equatable {
    public var type: String
    public var revision: Int64
    public var message: String

    public init(type: String, revision: Int64, message: String) {
      self.type = type
      self.revision = revision
      self.message = message
    }
  }

  /// One proxy (node id), over all its streams.
  public struct Proxy: Codable, Sendable, Equatable {
    public var proxy: String
    public var connections: [String]
    public var state: State
    /// Types whose ACK is still awaited.
    public var pending: [String]
    public var rejected: [Rejection]

    public init(
      proxy: String, connections: [String], state: State, pending: [String],
      rejected: [Rejection]
    ) {
      self.proxy = proxy
      self.connections = connections
      self.state = state
      self.pending = pending
      self.rejected = rejected
    }
  }

  public var revision: Int64
  /// The revision of the latest push.
  public var publishedRevision: Int64
  public var state: State
  /// Why the wait did not end in `synced`; nil when it did.
  public var error: String?
  public var timeoutSeconds: Double
  public var waitedSeconds: Double
  /// Proxies in each state.
  public var synced: Int
  public var rejected: Int
  public var pending: Int
  /// Every connected proxy, by id.
  public var proxies: [Proxy]

  public init(
    revision: Int64, publishedRevision: Int64, state: State, error: String?,
    timeoutSeconds: Double, waitedSeconds: Double, proxies: [Proxy]
  ) {
    self.revision = revision
    self.publishedRevision = publishedRevision
    self.state = state
    self.error = error
    self.timeoutSeconds = timeoutSeconds
    self.waitedSeconds = waitedSeconds
    self.proxies = proxies
    synced = proxies.count { $0.state == .synced }
    rejected = proxies.count { $0.state == .rejected }
    pending = proxies.count { $0.state == .pending }
  }

  /// The HTTP status `GET /wait` answers with: 200 synced, 409 rejected, 504 pending.
  public var httpStatus: Int {
    switch state {
    case .synced: return 200
    case .rejected: return 409
    case .pending: return 504
    }
  }

  /// Seconds in `text`: a number with an optional unit `ms`, `s`, `m` (`30s`, `1.5s`,
  /// `500ms`, `2m`, `30`). Nil when it is not one, or negative, or not finite.
  public static func seconds(from text: String) -> Double? {
    let text = text.trimmingCharacters(in: .whitespaces)
    var number = Substring(text)
    var scale = 1.0
    for (suffix, factor) in [("ms", 0.001), ("s", 1.0), ("m", 60.0)] where text.hasSuffix(suffix) {
      number = text.dropLast(suffix.count)
      scale = factor
      break
    }
    guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
      let value = Double(number), value.isFinite
    else { return nil }
    return value * scale
  }
}
