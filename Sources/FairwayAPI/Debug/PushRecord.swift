import Foundation

/// One completed push, for `/debug/push_status` and the status page.
public struct PushRecord: Sendable, Codable, Equatable {
  public var time: Date
  /// Config kinds that triggered it, with counts.
  public var triggers: [String: Int]
  /// The first few changed configs, by key. A batch can be the whole mesh (11,000 objects at
  /// 1,000 services), and listing it made every `/debug/push_status` read encode all of it
  /// twice, for as long as the push stayed in the history.
  public var configsUpdated: [String]
  /// How many configs changed, listed or not.
  public var configsUpdatedCount: Int
  /// Short type names (cds, eds, lds, rds, drds) in push order.
  public var types: [String]
  public var proxiesPushed: Int
  /// From the first change in the batch to the push starting (debounce + queueing).
  public var debounceSeconds: Double
  /// Building the new translation and waking the streams.
  public var durationSeconds: Double
  public var revision: Int64

  public init(
    time: Date, triggers: [String: Int], configsUpdated: [String], configsUpdatedCount: Int,
    types: [String], proxiesPushed: Int, debounceSeconds: Double, durationSeconds: Double,
    revision: Int64
  ) {
    self.time = time
    self.triggers = triggers
    self.configsUpdated = configsUpdated
    self.configsUpdatedCount = configsUpdatedCount
    self.types = types
    self.proxiesPushed = proxiesPushed
    self.debounceSeconds = debounceSeconds
    self.durationSeconds = durationSeconds
    self.revision = revision
  }
}
