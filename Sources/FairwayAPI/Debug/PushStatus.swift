import Foundation

/// `/debug/push_status`: the last push, the recent ones (newest first) and how many streams
/// are connected. `lastPush` is absent before the first push.
public struct PushStatus: Sendable, Codable, Equatable {
  public var lastPush: PushRecord?
  public var recent: [PushRecord]
  public var connectedStreams: Int

  public init(lastPush: PushRecord?, recent: [PushRecord], connectedStreams: Int) {
    self.lastPush = lastPush
    self.recent = recent
    self.connectedStreams = connectedStreams
  }
}
