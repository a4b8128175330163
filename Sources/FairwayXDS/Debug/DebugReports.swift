import FairwayProto
import FairwayResources
import Foundation
import SwiftProtobuf

/// The JSON behind `/debug/syncz`, `/debug/adsz`, `/debug/push_status` and
/// `/debug/config_dump`, in istiod's shapes where istiod has one.
public struct DebugReports: Sendable {
  public let server: XDSServer

  public init(server: XDSServer) {
    self.server = server
  }

  /// `/debug/syncz`: one entry per ADS stream.
  public func syncz() -> [[String: Any]] {
    server.registry.all.map { stream in
      let snapshot = stream.snapshot
      var entry: [String: Any] = [
        "proxy": snapshot.node?.id ?? "",
        "proxy_type": snapshot.proxy.map { $0.client == .grpc ? "grpc" : $0.kind.rawValue } ?? "",
        "proxy_client": snapshot.proxy?.client.rawValue ?? "",
        "istio_version": snapshot.proxy?.istioVersion ?? "",
        "cluster_id": snapshot.proxy?.clusterID ?? "",
        "connection_id": String(stream.id),
        "stream_kind": stream.kind.rawValue,
      ]
      let legacy: [(XDSResourceType, String)] = [
        (.cluster, "cluster"), (.listener, "listener"), (.route, "route"), (.endpoint, "endpoint"),
      ]
      for (type, prefix) in legacy {
        let status = snapshot.status[type]
        entry["\(prefix)_sent"] = status?.sentNonce ?? ""
        entry["\(prefix)_acked"] = status?.ackedNonce ?? ""
      }
      var perType: [String: Any] = [:]
      for (type, status) in snapshot.status {
        perType[type.typeURL] = Self.statusJSON(status)
      }
      entry["xds"] = perType
      return entry
    }
  }

  static func statusJSON(_ status: TypeSyncStatus) -> [String: Any] {
    var json: [String: Any] = [
      "sent": status.sentNonce ?? "",
      "acked": status.ackedNonce ?? "",
      "sentVersion": status.sentVersion ?? "",
      "ackedVersion": status.ackedVersion ?? "",
      "sentTime": status.sentTime.map(Self.timestamp) ?? "",
      "state": status.state.rawValue,
      "nacks": status.nackCount,
      "staleNonces": status.staleNonceCount,
      "wildcard": status.wildcard,
      "subscribed": status.subscribed.sorted(),
      "lastError": "",
    ]
    if let error = status.lastError {
      json["lastError"] = error.message
      json["lastErrorNonce"] = error.nonce
      json["lastErrorTime"] = Self.timestamp(error.time)
    }
    return json
  }

  /// `/debug/adsz`: connected streams with identity, metadata and watched names.
  public func adsz() -> [[String: Any]] {
    server.registry.all.map { stream in
      let snapshot = stream.snapshot
      var watched: [String: Any] = [:]
      for (type, status) in snapshot.status {
        watched[type.typeURL] = status.wildcard ? ["*"] : status.subscribed.sorted()
      }
      var metadata: Any = [String: Any]()
      if let node = snapshot.node,
        let json = try? node.metadata.jsonString(),
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8))
      {
        metadata = object
      }
      return [
        "connectionId": String(stream.id),
        "proxy": snapshot.node?.id ?? "",
        "peerAddress": stream.peer,
        "connectedAt": Self.timestamp(stream.connectedAt),
        "streamKind": stream.kind.rawValue,
        "client": snapshot.proxy?.client.rawValue ?? "",
        "namespace": snapshot.proxy?.namespace ?? "",
        "ipAddresses": snapshot.proxy?.ipAddresses ?? [],
        "labels": snapshot.proxy?.labels ?? [:],
        "metadata": metadata,
        "watched": watched,
      ]
    }
  }

  /// `/debug/push_status`: the last push and recent history.
  public func pushStatus() throws -> Data {
    let pushes = server.coordinator.recentPushes
    struct Body: Encodable {
      var lastPush: PushRecord?
      var recent: [PushRecord]
      var connectedStreams: Int
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.dateEncodingStrategy = .iso8601
    return try encoder.encode(
      Body(
        lastPush: pushes.last, recent: pushes.reversed(), connectedStreams: server.registry.count))
  }

  /// What was last sent to each stream of `proxyID`, in Envoy's admin ConfigDump shape;
  /// nil when no stream of that proxy is connected.
  public func configDump(proxyID: String) throws -> [[String: Any]]? {
    let streams = server.registry.streams(forProxyID: proxyID)
    guard !streams.isEmpty else { return nil }
    return try streams.map { stream in
      let sent = stream.snapshot.sent
      func set(_ type: XDSResourceType) -> ResourceSet {
        ResourceSet(type: type, resources: Array((sent[type] ?? [:]).values))
      }
      let dump = ConfigDump(
        clusters: set(.cluster), endpoints: set(.endpoint), listeners: set(.listener),
        routes: set(.route), dubboRoutes: set(.dubboRoute))
      var object = try Self.jsonObject(dump.jsonString())
      object["connectionId"] = String(stream.id)
      object["streamKind"] = stream.kind.rawValue
      return object
    }
  }

  /// Parses JSON text this module produced into an object for the admin API to extend.
  public static func jsonObject(_ text: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    else { return [:] }
    return object
  }

  static func timestamp(_ date: Date) -> String {
    date.formatted(.iso8601)
  }
}
