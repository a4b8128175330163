import FairwayMesh
import Foundation

/// What the registration state machine asks the controller to do to the store. Each is
/// re-checked against the stored entry when carried out (another replica, or the admin API,
/// may have changed it since).
public enum RegistrationAction: Sendable, Equatable {
  /// Create the entry from its group, or mark the existing one connected here: controller
  /// this instance, `connectedAt`, no `disconnectedAt`.
  case register(RegistrationRequest, connectedAt: Date)
  /// Mark the entry disconnected at `at` (drop `connectedAt`), unless it has been connected
  /// since `connectedAt` (a newer connection, here or on another replica).
  case markDisconnected(ConfigKey, connectedAt: Date, at: Date)
  /// Delete the entry: its grace ran out. Skipped if it is connected again by then.
  case delete(ConfigKey)
  /// Record a health report on the entry (only health-checked entries change).
  case reportHealth(ConfigKey, healthy: Bool, message: String?)
}
