import FairwayMesh
import FairwayResources
import FairwayStore
import FairwayXDS
import Foundation

/// What the status page shows, gathered in one pass so rendering is a pure function.
struct StatusPageModel: Sendable {
  struct TypeState: Sendable {
    var name: String
    var state: SyncState
    var lastError: String?
  }

  struct ProxyRow: Sendable {
    var id: String
    var connectionID: UInt64
    var client: String
    var streamKind: String
    var namespace: String
    var peer: String
    var connectedAt: Date
    var lastPush: Date?
    var states: [TypeState]
  }

  struct Nack: Sendable {
    var proxy: String
    var type: String
    var message: String
    var time: Date
  }

  struct ConfigRow: Sendable {
    var kind: ConfigKind
    var namespace: String
    var name: String
    var resourceVersion: String
    var summary: String
  }

  var now: Date
  var proxies: [ProxyRow]
  var nacks: [Nack]
  var pushes: [PushRecord]
  var configs: [ConfigRow]
  /// Totals since start, from the push path's counters.
  var pushesSent: Int
  var nacksReceived: Int

  /// The columns shown per proxy, in istioctl's order.
  static let columns: [(String, XDSResourceType)] = [
    ("CDS", .cluster), ("LDS", .listener), ("EDS", .endpoint), ("RDS", .route),
  ]

  static func gather(server: XDSServer, store: any ConfigStore, now: Date = Date()) async
    -> StatusPageModel
  {
    let objects = await store.list(kind: nil, namespace: nil)
    var proxies: [ProxyRow] = []
    var nacks: [Nack] = []
    for stream in server.streams {
      let snapshot = stream.snapshot
      let id = snapshot.node?.id ?? "(no node yet)"
      var states: [TypeState] = []
      for (name, type) in columns {
        let status = snapshot.status[type]
        states.append(
          TypeState(
            name: name, state: status?.state ?? .notSent, lastError: status?.lastError?.message))
      }
      for (type, status) in snapshot.status {
        if let error = status.lastError {
          nacks.append(
            Nack(
              proxy: id, type: type.shortName.uppercased(), message: error.message, time: error.time
            ))
        }
      }
      let client = snapshot.proxy.map {
        $0.client == .grpc ? "grpc" : "\($0.client.rawValue) \($0.kind.rawValue)"
      }
      proxies.append(
        ProxyRow(
          id: id, connectionID: stream.id, client: client ?? "unknown",
          streamKind: stream.kind.rawValue,
          namespace: snapshot.proxy?.namespace ?? "", peer: stream.peer,
          connectedAt: stream.connectedAt,
          lastPush: snapshot.status.values.compactMap(\.sentTime).max(), states: states))
    }
    nacks.sort { $0.time > $1.time }
    let metrics = server.metricsSnapshot
    let configs = objects.map { object in
      ConfigRow(
        kind: object.kind, namespace: object.namespace, name: object.name,
        resourceVersion: object.metadata.resourceVersion ?? "", summary: Self.summary(object.spec))
    }.sorted {
      ($0.kind.rawValue, $0.namespace, $0.name) < ($1.kind.rawValue, $1.namespace, $1.name)
    }
    return StatusPageModel(
      now: now, proxies: proxies, nacks: nacks,
      pushes: Array(server.recentPushes.reversed()),
      configs: configs, pushesSent: metrics.pushes.values.reduce(0, +),
      nacksReceived: metrics.rejects.values.reduce(0, +))
  }

  /// The one field that tells configs of a kind apart at a glance.
  static func summary(_ spec: ConfigSpec) -> String {
    switch spec {
    case .virtualService(let vs): return (vs.hosts ?? []).joined(separator: ", ")
    case .destinationRule(let dr): return dr.host ?? ""
    case .serviceEntry(let se): return (se.hosts ?? []).joined(separator: ", ")
    case .workloadEntry(let we): return we.address ?? ""
    case .workloadGroup(let wg):
      return (wg.template?.labels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        .joined(separator: ",")
    case .sidecar(let sidecar):
      return (sidecar.egress ?? []).flatMap { $0.hosts ?? [] }.joined(separator: ", ")
    case .gateway(let gw):
      return (gw.servers ?? []).flatMap { $0.hosts ?? [] }.joined(separator: ", ")
    }
  }
}
