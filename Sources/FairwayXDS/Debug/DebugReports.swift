import FairwayAPI
import FairwayProto
import FairwayResources
import Foundation
import SwiftProtobuf

/// The values behind `/debug/syncz`, `/debug/adsz`, `/debug/push_status` and
/// `/debug/config_dump`, as the API types the CLI decodes (istiod's shapes where istiod has one).
public struct DebugReports: Sendable {
  public let server: XDSServer

  public init(server: XDSServer) {
    self.server = server
  }

  /// `/debug/syncz`: one entry per ADS stream.
  public func syncz() -> [SyncStatus] {
    server.registry.all.map { stream in
      let snapshot = stream.snapshot
      func nonces(_ type: XDSResourceType) -> (sent: String, acked: String) {
        let status = snapshot.status[type]
        return (status?.sentNonce ?? "", status?.ackedNonce ?? "")
      }
      let (cluster, listener, route, endpoint) = (
        nonces(.cluster), nonces(.listener), nonces(.route), nonces(.endpoint)
      )
      return SyncStatus(
        proxy: snapshot.node?.id ?? "",
        proxyType: snapshot.proxy.map { $0.client == .grpc ? "grpc" : $0.kind.rawValue } ?? "",
        proxyClient: snapshot.proxy?.client.rawValue ?? "",
        istioVersion: snapshot.proxy?.istioVersion ?? "",
        clusterID: snapshot.proxy?.clusterID ?? "",
        connectionID: String(stream.id), streamKind: stream.kind.rawValue,
        clusterSent: cluster.sent, clusterAcked: cluster.acked,
        listenerSent: listener.sent, listenerAcked: listener.acked,
        routeSent: route.sent, routeAcked: route.acked,
        endpointSent: endpoint.sent, endpointAcked: endpoint.acked,
        xds: Dictionary(
          uniqueKeysWithValues: snapshot.status.map { ($0.key.typeURL, Self.typeStatus($0.value)) }
        ))
    }
  }

  static func typeStatus(_ status: TypeSyncStatus) -> SyncStatus.TypeStatus {
    SyncStatus.TypeStatus(
      sent: status.sentNonce ?? "", acked: status.ackedNonce ?? "",
      sentVersion: status.sentVersion ?? "", ackedVersion: status.ackedVersion ?? "",
      sentTime: status.sentTime.map(APICoding.timestamp) ?? "", state: status.state.rawValue,
      nacks: status.nackCount, staleNonces: status.staleNonceCount, wildcard: status.wildcard,
      subscribed: status.subscribed.sorted(), lastError: status.lastError?.message ?? "",
      lastErrorNonce: status.lastError?.nonce,
      lastErrorTime: status.lastError.map { APICoding.timestamp($0.time) })
  }

  /// `/debug/adsz`: connected streams with identity, metadata and watched names.
  public func adsz() -> [ADSConnection] {
    server.registry.all.map { stream in
      let snapshot = stream.snapshot
      var metadata = AnyJSON.object([:])
      if let node = snapshot.node, let json = try? node.metadata.jsonString(),
        let value = try? APICoding.decode(AnyJSON.self, from: Data(json.utf8))
      {
        metadata = value
      }
      return ADSConnection(
        connectionID: String(stream.id), proxy: snapshot.node?.id ?? "",
        peerAddress: stream.peer, connectedAt: APICoding.timestamp(stream.connectedAt),
        streamKind: stream.kind.rawValue, client: snapshot.proxy?.client.rawValue ?? "",
        namespace: snapshot.proxy?.namespace ?? "",
        ipAddresses: snapshot.proxy?.ipAddresses ?? [], labels: snapshot.proxy?.labels ?? [:],
        metadata: metadata,
        watched: Dictionary(
          uniqueKeysWithValues: snapshot.status.map { type, status in
            (type.typeURL, status.wildcard ? ["*"] : status.subscribed.sorted())
          }))
    }
  }

  /// `/debug/push_status`: the last push and recent history, newest first.
  public func pushStatus() -> PushStatus {
    let pushes = server.coordinator.recentPushes
    return PushStatus(
      lastPush: pushes.last, recent: pushes.reversed(), connectedStreams: server.registry.count)
  }

  /// What was last sent to each stream of `proxyID`, in Envoy's admin ConfigDump shape;
  /// nil when no stream of that proxy is connected.
  public func configDump(proxyID: String) throws -> [ProxyConfigDump]? {
    let streams = server.registry.streams(forProxyID: proxyID)
    guard !streams.isEmpty else { return nil }
    return try streams.map { stream in
      let sent = stream.snapshot.sent
      func set(_ type: XDSResourceType) -> ResourceSet {
        ResourceSet(type: type, resources: Array((sent[type] ?? [:]).values))
      }
      var dump = try Self.apiDump(
        ConfigDump(
          clusters: set(.cluster), endpoints: set(.endpoint), listeners: set(.listener),
          routes: set(.route), dubboRoutes: set(.dubboRoute)))
      dump.connectionID = String(stream.id)
      dump.streamKind = stream.kind.rawValue
      return dump
    }
  }

  /// What `proxy` would be sent now, from the current translation.
  public func configDump(for proxy: Proxy) throws -> ProxyConfigDump {
    var dump = try Self.apiDump(server.configDump(for: proxy))
    dump.proxy = ProxyConfigDump.Identity(
      id: proxy.id, client: proxy.client.rawValue, namespace: proxy.namespace,
      ipAddresses: proxy.ipAddresses, labels: proxy.labels)
    return dump
  }

  /// The Envoy part as raw JSON values: SwiftProtobuf writes the proto JSON, the API keeps it.
  static func apiDump(_ dump: ConfigDump) throws -> ProxyConfigDump {
    try APICoding.decode(ProxyConfigDump.self, from: Data(dump.jsonString().utf8))
  }
}
