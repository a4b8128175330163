import FairwayAPI
import Foundation

extension ProxyStatus {
  /// One proxy in `proxy-status -o json`: the table's columns for scripts, types by short
  /// name (cds, lds, eds, rds, drds).
  struct Row: Encodable {
    struct TypeRow: Encodable {
      var state: String
      var sentVersion: String
      var ackedVersion: String
      var nacks: Int
      /// The last NACK's message; absent when never NACKed.
      var lastError: String?
      /// When the type was last sent; absent when never.
      var lastPush: String?
    }

    var name: String
    var cluster: String
    var stream: String
    var connectionId: String
    var type: String
    var version: String
    var age: String
    var xds: [String: TypeRow]
    /// Absent when nothing was ever sent.
    var lastPushSecondsAgo: Double?

    init(_ entry: SyncStatus, now: Date) {
      name = entry.proxy
      cluster = entry.clusterID
      stream = entry.streamKind
      connectionId = entry.connectionID
      type = entry.proxyType
      version = entry.istioVersion
      age = ProxyStatus.age(since: entry.lastPush, now: now)
      xds = [:]
      for (name, typeURL) in SyncStatus.columns {
        let status = entry.xds[typeURL]
        xds[name.lowercased()] = TypeRow(
          state: entry.state(typeURL), sentVersion: status?.sentVersion ?? "",
          ackedVersion: status?.ackedVersion ?? "", nacks: status?.nacks ?? 0,
          lastError: status.flatMap { $0.lastError.isEmpty ? nil : $0.lastError },
          lastPush: status.flatMap { $0.sentTime.isEmpty ? nil : $0.sentTime })
      }
      lastPushSecondsAgo = entry.lastPush.map { max(0, now.timeIntervalSince($0)) }
    }
  }
}
