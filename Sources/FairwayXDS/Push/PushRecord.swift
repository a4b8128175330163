import FairwayAPI

/// A push in the history is the API's `/debug/push_status` entry; the alias keeps the push
/// code's spelling without importing the API module everywhere.
public typealias PushRecord = FairwayAPI.PushRecord

extension PushRecord {
  /// Configs named in `configsUpdated` at most.
  static let listedConfigs = 20
}
