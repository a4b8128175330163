import Foundation

/// One completed push, for `/debug/push_status` and the status page.
public struct PushRecord: Sendable, Codable, Equatable {
  public var time: Date
  /// Config kinds that triggered it, with counts.
  public var triggers: [String: Int]
  public var configsUpdated: [String]
  public var types: [String]
  public var proxiesPushed: Int
  /// From the first change in the batch to the push starting (debounce + queueing).
  public var debounceSeconds: Double
  /// Building the new translation and waking the streams.
  public var durationSeconds: Double
  public var revision: Int64
}
