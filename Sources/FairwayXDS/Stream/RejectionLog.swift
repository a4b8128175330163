import FairwayResources
import Foundation
import Logging

/// Logs a proxy's NACKs at warning level, at most `burst` lines per stream in any `interval`;
/// the lines held back are counted and reported with the next one that goes out. A proxy that
/// rejects every push (a config Envoy cannot take) must not flood the log, but the operator
/// must still learn that it happens and how often.
struct RejectionLog {
  static let interval: Duration = .seconds(10)
  static let burst = 5
  /// Envoy's messages can list every rejected resource; the log line keeps a readable start.
  static let messageLimit = 2_048

  private var windowStart: ContinuousClock.Instant?
  private var loggedInWindow = 0
  private(set) var suppressed = 0

  /// Whether to log a NACK now, and how many were held back since the last line.
  mutating func admit(at now: ContinuousClock.Instant) -> (log: Bool, heldBack: Int) {
    if let start = windowStart, now - start < Self.interval {
      guard loggedInWindow < Self.burst else {
        suppressed += 1
        return (false, 0)
      }
    } else {
      windowStart = now
      loggedInWindow = 0
    }
    loggedInWindow += 1
    let heldBack = suppressed
    suppressed = 0
    return (true, heldBack)
  }

  /// The log line's metadata: the proxy, the type, the nonce and version it rejected, and Envoy's
  /// message.
  static func metadata(
    proxy: String, peer: String, type: XDSResourceType, rejection: TypeSyncStatus.Rejection?,
    heldBack: Int
  ) -> Logger.Metadata {
    var metadata: Logger.Metadata = [
      "proxy": "\(proxy)", "peer": "\(peer)", "type": "\(type.shortName)",
    ]
    if let rejection {
      metadata["nonce"] = "\(rejection.nonce)"
      metadata["version"] = "\(rejection.version)"
      metadata["message"] = "\(rejection.message.clipped(toUTF8: messageLimit))"
    }
    if heldBack > 0 { metadata["suppressed"] = "\(heldBack)" }
    return metadata
  }
}
